package dev.berth.core.events;

import java.time.Instant;

/**
 * Something that happened to an instance, delivered to the host's listeners after the change committed.
 *
 * @param type       what happened
 * @param instanceId the instance (null for node events, whose detail starts with "node ID")
 * @param tenantId   its tenant (null for node events)
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
        HEALTH_CHECK_FAILED,
        /** A node failed its health checks and was set OFFLINE (node events carry no instance or tenant). */
        NODE_OFFLINE,
        /** A node set OFFLINE by its health checks passed them again and is back ONLINE. */
        NODE_ONLINE,
        /** A node's usage crossed a configured threshold (memory 80 % …). */
        NODE_USAGE_HIGH
    }
}
