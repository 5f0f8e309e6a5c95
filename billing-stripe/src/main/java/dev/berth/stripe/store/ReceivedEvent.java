package dev.berth.stripe.store;

import java.time.Instant;

/**
 * A verified Stripe event as recorded when its delivery is accepted: only what the worker needs (the payload
 * itself is not kept: the worker reads the subscription's current state from Stripe instead).
 *
 * @param eventId        Stripe's event id ({@code evt_…})
 * @param type           event type ({@code customer.subscription.updated}, …)
 * @param apiVersion     the API version the payload was rendered in (kept for diagnosis only)
 * @param subscriptionId the subscription the event is about
 * @param stripeCreated  when Stripe created the event
 */
public record ReceivedEvent(String eventId, String type, String apiVersion, String subscriptionId, Instant stripeCreated) {
}
