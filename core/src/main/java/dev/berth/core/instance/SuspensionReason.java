package dev.berth.core.instance;

/** Why an instance is suspended; only a BILLING suspension is lifted automatically when payment resumes. */
public enum SuspensionReason {
    BILLING,
    ADMIN
}
