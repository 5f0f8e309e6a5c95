package dev.berth.stripe.store;

/** Where an accepted webhook event is in its processing. */
public enum EventStatus {
    /** Accepted and queued. */
    RECEIVED,
    /** Applied to Berth. */
    DONE,
    /** Gave up after the configured attempts or a permanent error; reconciliation still converges the subscription. */
    FAILED
}
