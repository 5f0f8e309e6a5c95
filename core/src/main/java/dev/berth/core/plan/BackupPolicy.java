package dev.berth.core.plan;

import dev.berth.spi.error.InvalidSpecException;

import java.time.Duration;

/**
 * How often an instance on a plan is backed up and how long backups are kept. {@link #NONE} means no
 * periodic backups and, by the operator's explicit choice, no backup before termination.
 *
 * @param interval  time between periodic backups; {@code null} for none
 * @param retention how long each backup is kept
 */
public record BackupPolicy(Duration interval, Duration retention) {

    /** No backups at all. */
    public static final BackupPolicy NONE = new BackupPolicy(null, Duration.ZERO);

    public BackupPolicy {
        if (retention == null || retention.isNegative()) {
            throw new InvalidSpecException("backupPolicy.retention", "must be zero or positive");
        }
        if (interval != null && (interval.isZero() || interval.isNegative())) {
            throw new InvalidSpecException("backupPolicy.interval", "must be positive when set");
        }
        if (interval != null && interval.compareTo(Duration.ofMinutes(15)) < 0) {
            throw new InvalidSpecException("backupPolicy.interval", "must be at least 15 minutes");
        }
    }

    public static BackupPolicy every(Duration interval, Duration retention) {
        return new BackupPolicy(interval, retention);
    }

    /** True when the plan takes backups (periodic ones and one before termination). */
    public boolean enabled() {
        return interval != null;
    }
}
