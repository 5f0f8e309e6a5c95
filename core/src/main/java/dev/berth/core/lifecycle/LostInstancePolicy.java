package dev.berth.core.lifecycle;

/**
 * What the reconciler does about an ACTIVE or SUSPENDED instance its runtime no longer holds at all: with its
 * container or pod, its data may be gone too, so it is never silently provisioned again empty. Set with
 * {@code Berth.Builder.onLostInstance}.
 */
public enum LostInstancePolicy {
    /**
     * Report it (a DRIFT_DETECTED event, a message to the operator, the instance's state reason) and leave the
     * runtime alone; the operator decides. The default.
     */
    REPORT,
    /**
     * Provision it again on its node, then restore its newest backup (as a RESTORE does); reported the same way. An
     * instance without a backup is only reported.
     */
    RESTORE_FROM_BACKUP
}
