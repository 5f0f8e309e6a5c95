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
    TERMINATE
}
