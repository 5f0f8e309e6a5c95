package dev.berth.stripe.webhook;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;
import java.util.Set;

/**
 * Which event types drive entitlement and how to find the subscription an event is about, in any API version:
 * the worker then reads that subscription's current state from Stripe, so nothing else of the payload is trusted.
 */
final class EventRouting {

    /** Every handled type means the same thing: "re-read this subscription and converge". */
    static final Set<String> HANDLED = Set.of(
            "checkout.session.completed",
            "checkout.session.async_payment_succeeded",
            "customer.subscription.created",
            "customer.subscription.updated",
            "customer.subscription.deleted",
            "customer.subscription.paused",
            "customer.subscription.resumed",
            "customer.subscription.pending_update_applied",
            "customer.subscription.pending_update_expired",
            "invoice.paid",
            "invoice.payment_succeeded",
            "invoice.payment_failed");

    private EventRouting() {
    }

    /**
     * The subscription id an event is about, or empty when it is not about a subscription (a one-off Checkout
     * payment, an invoice without subscription).
     */
    static Optional<String> subscriptionId(String type, JsonNode object) {
        if (type.startsWith("customer.subscription.")) {
            return text(object.path("id"));
        }
        if (type.startsWith("checkout.session.")) {
            return idOrExpanded(object.path("subscription"));
        }
        if (type.startsWith("invoice.")) {
            // since 2025-03-31.basil the subscription moved under parent.subscription_details; older payloads have
            // it at the top level. Both are read, so an endpoint pinned to an older version still works.
            return idOrExpanded(object.path("parent").path("subscription_details").path("subscription"))
                    .or(() -> idOrExpanded(object.path("subscription")));
        }
        return Optional.empty();
    }

    /** An expandable field: either the id string or the expanded object with an {@code id}. */
    private static Optional<String> idOrExpanded(JsonNode field) {
        return field.isObject() ? text(field.path("id")) : text(field);
    }

    private static Optional<String> text(JsonNode n) {
        return n.isTextual() && !n.asText().isBlank() ? Optional.of(n.asText()) : Optional.empty();
    }
}
