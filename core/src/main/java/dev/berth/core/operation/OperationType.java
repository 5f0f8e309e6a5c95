package dev.berth.core.operation;

/** Lifecycle commands that run as durable operations. */
public enum OperationType {
    PROVISION,
    SUSPEND,
    RESUME,
    CHANGE_PLAN,
    UPGRADE,
    BACKUP,
    RESTORE,
    MIGRATE,
    TERMINATE,
    /**
     * Sends one message (credentials, suspension, termination warning, backup failure). It runs beside the
     * instance's other operations, never holds the instance, and its failure never changes the instance.
     */
    NOTIFY
}
