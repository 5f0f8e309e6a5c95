package dev.berth.core.billing;

/**
 * What the customer's subscription currently allows, as a billing gateway derives it. Gateway-neutral:
 * Stripe's statuses (and any other gateway's) are mapped onto these four.
 */
public enum Entitlement {
    /** Paid up: the instance runs. */
    ACTIVE,
    /** Payment failed: the instance keeps running for the plan's grace period, then is suspended. */
    GRACE,
    /** Not paid: the instance is suspended now, data kept. */
    SUSPENDED,
    /** Subscription ended: suspended now, terminated (after a backup) when the plan's retention has passed. */
    ENDED
}
