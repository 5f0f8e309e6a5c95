package dev.berth.core.plan;

/**
 * How a plan shares hardware. SHARED plans are accounted by their requests (burstable, overcommitted);
 * DEDICATED plans by their limits and only placed on nodes labelled for dedicated use.
 */
public enum Isolation {
    SHARED,
    DEDICATED
}
