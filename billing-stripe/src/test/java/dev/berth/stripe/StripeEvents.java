package dev.berth.stripe;

import com.stripe.Stripe;
import com.stripe.net.Webhook;

import java.util.Map;
import java.util.UUID;

/**
 * Webhook payloads in the shape Stripe sends them (fixtures under src/test/resources/stripe), built from a
 * {@link FakeStripeApi}'s subscriptions, and signed with stripe-java's own signature helper. Shared by this module's
 * tests and the example server's end-to-end test.
 */
public final class StripeEvents {

    private StripeEvents() {
    }

    public static String newEventId() {
        return "evt_1Qx" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    /** An event with the given data object, rendered in {@code apiVersion}. */
    public static String event(String eventId, String type, String object, String apiVersion, long created) {
        return Fixtures.render("event.json", Map.of("event_id", eventId, "api_version", apiVersion, "created", Long.toString(created),
                "object", object, "previous_attributes", "", "type", type));
    }

    /** {@code customer.subscription.*} carrying the subscription's current snapshot, in the SDK's API version. */
    public static String subscriptionEvent(FakeStripeApi api, String type, String subscriptionId, long now) {
        return event(newEventId(), type, api.subscriptionJson(subscriptionId), Stripe.API_VERSION, now);
    }

    /** {@code checkout.session.completed} of a paid subscription Checkout for {@code tenantId}. */
    public static String checkoutCompleted(FakeStripeApi api, String tenantId, String email, String subscriptionId, long now) {
        FakeStripeApi.Sub s = api.subscription(subscriptionId);
        String session = Fixtures.render("checkout_session.json", Map.ofEntries(
                Map.entry("id", "cs_test_b1" + UUID.randomUUID().toString().substring(0, 8)), Map.entry("client_reference_id", tenantId),
                Map.entry("created", Long.toString(now - 120)), Map.entry("expires_at", Long.toString(now + 86000)),
                Map.entry("customer", Fixtures.str(s.customer)),
                Map.entry("customer_details", "{\"email\": " + Fixtures.str(email) + ", \"name\": null}"),
                Map.entry("customer_email", Fixtures.str(email)), Map.entry("invoice", "\"in_1Qx9bMJ2eZvKYlo2mG2h4Kx1\""),
                Map.entry("metadata", Fixtures.object(s.metadata)), Map.entry("payment_status", "paid"), Map.entry("status", "complete"),
                Map.entry("subscription", Fixtures.str(subscriptionId)), Map.entry("url", "null")));
        return event(newEventId(), "checkout.session.completed", session, Stripe.API_VERSION, now);
    }

    /** The {@code Stripe-Signature} header for {@code payload} signed at {@code timestamp}. */
    public static String sign(String payload, String secret, long timestamp) {
        try {
            return Webhook.Signature.generateSignatureHeader(payload, secret, timestamp);
        } catch (java.security.NoSuchAlgorithmException | java.security.InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The event id of a payload built here. */
    public static String idOf(String payload) {
        int at = payload.indexOf("\"evt_");
        return payload.substring(at + 1, payload.indexOf('"', at + 1));
    }
}
