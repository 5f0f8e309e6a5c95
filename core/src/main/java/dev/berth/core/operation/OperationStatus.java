package dev.berth.core.operation;

/** Where an operation stands. */
public enum OperationStatus {
    IN_PROGRESS,
    SUCCEEDED,
    FAILED
}
