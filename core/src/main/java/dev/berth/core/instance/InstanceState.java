package dev.berth.core.instance;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where an instance is in its life. Only the transitions listed in {@link #canBecome(InstanceState)} are
 * legal; the engine rejects every other change and leaves the instance untouched.
 *
 * <pre>
 * PENDING ──► PROVISIONING ──► ACTIVE ◄──► SUSPENDED
 *    │  ▲          │             │  ▲          │
 *    ▼  │          ▼             ▼  │(plan change, upgrade, backup, restore keep ACTIVE)
 *  QUEUED        FAILED ──► TERMINATING ──► TERMINATED
 * </pre>
 */
public enum InstanceState {
    /** Accepted, waiting for a worker. */
    PENDING,
    /** No node has room; placed automatically when capacity appears. */
    QUEUED,
    /** A worker is creating it on the runtime. */
    PROVISIONING,
    /** Running and reachable. */
    ACTIVE,
    /** Stopped with its data kept (non-payment or an operator's decision). */
    SUSPENDED,
    /** Being backed up and removed. */
    TERMINATING,
    /** Gone from the runtime; the record and its backups remain. */
    TERMINATED,
    /** A step failed for good; runtime resources were compensated. */
    FAILED;

    /** True when moving from this state to {@code next} is legal. */
    public boolean canBecome(InstanceState next) {
        return allowedNext().contains(next);
    }

    /** The states this one may move to. */
    public Set<InstanceState> allowedNext() {
        return switch (this) {
            case PENDING -> EnumSet.of(PROVISIONING, QUEUED, FAILED, TERMINATING);
            case QUEUED -> EnumSet.of(PENDING, PROVISIONING, FAILED, TERMINATING);
            case PROVISIONING -> EnumSet.of(ACTIVE, QUEUED, FAILED);
            case ACTIVE -> EnumSet.of(SUSPENDED, TERMINATING, FAILED);
            case SUSPENDED -> EnumSet.of(ACTIVE, TERMINATING);
            case FAILED -> EnumSet.of(TERMINATING);
            case TERMINATING -> EnumSet.of(TERMINATED, FAILED);
            case TERMINATED -> EnumSet.noneOf(InstanceState.class);
        };
    }

    /** True when the instance holds (or may hold) runtime resources. */
    public boolean live() {
        return this != TERMINATED;
    }
}
