package dev.berth.core.events;

import java.time.Instant;

/**
 * Something that happened to an instance, delivered to the host's listeners after the change committed.
 *
 * @param type       what happened
 * @param instanceId the instance
 * @param tenantId   its tenant
 * @param at         when
 * @param detail     a human-readable detail (a reason, a drift description), never secret
 */
public record BerthEvent(Type type, String instanceId, String tenantId, Instant at, String detail) {

    /** Event kinds. */
    public enum Type {
        PROVISION_REQUESTED,
        INSTANCE_QUEUED,
        INSTANCE_PROVISIONED,
        INSTANCE_SUSPENDED,
        INSTANCE_RESUMED,
        PLAN_CHANGED,
        INSTANCE_UPGRADED,
        BACKUP_COMPLETED,
        INSTANCE_RESTORED,
        INSTANCE_MIGRATED,
        INSTANCE_TERMINATED,
        OPERATION_FAILED,
        DRIFT_REPAIRED,
        DRIFT_DETECTED,
        HEALTH_CHECK_FAILED
    }
}
