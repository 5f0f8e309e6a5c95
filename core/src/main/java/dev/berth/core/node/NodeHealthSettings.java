package dev.berth.core.node;

import dev.berth.spi.error.InvalidSpecException;

import java.time.Duration;

/**
 * How the node job judges nodes.
 *
 * @param failuresBeforeOffline consecutive failed checks (unreachable, or reported unhealthy) before an ONLINE node
 *                              is set OFFLINE and stops receiving placements
 * @param cpuThreshold          used/capacity fraction of CPU at which a usage event is raised (0 &lt; t ≤ 1)
 * @param memoryThreshold       same for memory (80 % is a common alarm)
 * @param diskThreshold         same for disk
 * @param usageRetention        how long usage samples are kept
 */
public record NodeHealthSettings(int failuresBeforeOffline, double cpuThreshold, double memoryThreshold,
                                 double diskThreshold, Duration usageRetention) {

    public NodeHealthSettings {
        if (failuresBeforeOffline < 1) throw new InvalidSpecException("nodeHealth.failuresBeforeOffline", "must be at least 1");
        requireFraction("nodeHealth.cpuThreshold", cpuThreshold);
        requireFraction("nodeHealth.memoryThreshold", memoryThreshold);
        requireFraction("nodeHealth.diskThreshold", diskThreshold);
        if (usageRetention == null || usageRetention.isNegative() || usageRetention.isZero()) {
            throw new InvalidSpecException("nodeHealth.usageRetention", "must be positive");
        }
    }

    /** 3 failures, CPU 90 %, memory 80 %, disk 85 %, 7 days of usage history. */
    public static NodeHealthSettings defaults() {
        return new NodeHealthSettings(3, 0.9, 0.8, 0.85, Duration.ofDays(7));
    }

    private static void requireFraction(String field, double v) {
        if (!(v > 0 && v <= 1)) throw new InvalidSpecException(field, "must be a fraction in (0, 1]");
    }
}
