package dev.berth.stripe.store;

import java.time.Instant;

/**
 * A row of {@code stripe_events}.
 *
 * @param event      what was received
 * @param status     processing state
 * @param attempts   processing attempts so far
 * @param lastError  the last processing error, or null
 * @param receivedAt when the delivery was accepted
 */
public record StoredEvent(ReceivedEvent event, EventStatus status, int attempts, String lastError, Instant receivedAt) {
}
