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
     * Puts an instance back in the state Berth wants after the reconciler saw its runtime drift (stopped,
     * running, other limits, lost). Holds the instance like any command, and acts on what it reads when it runs.
     */
    REPAIR,
    /**
     * Sends one message (credentials, suspension, termination warning, backup failure). It runs beside the
     * instance's other operations, never holds the instance, and its failure never changes the instance.
     */
    NOTIFY
}
