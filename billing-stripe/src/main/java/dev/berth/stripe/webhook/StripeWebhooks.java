package dev.berth.stripe.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import dev.berth.core.billing.WebhookResult;
import dev.berth.spi.SecretValue;
import dev.berth.stripe.store.EventStore;
import dev.berth.stripe.store.ReceivedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The webhook endpoint without an HTTP framework: a host mounts {@code POST /webhooks/stripe} and passes the raw
 * body and the {@code Stripe-Signature} header to {@link #handle(String, String)}, answering with the result's
 * status.
 *
 * <p>It verifies the signature over the raw body with the configured tolerance (stripe-java's
 * {@code Webhook.Signature}), parses the event, and in one transaction records its id under a unique key (a
 * duplicate is acknowledged and ignored) and queues its work durably on db-scheduler; it never calls Stripe or
 * changes an instance in the request. A rejected delivery (400) stores nothing.
 */
public final class StripeWebhooks {

    private static final Logger log = LoggerFactory.getLogger(StripeWebhooks.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ID = 100;

    private final SecretValue secret;
    private final long toleranceSeconds;
    private final Clock clock;
    private final EventStore store;
    private final BiConsumer<Connection, String> enqueue;

    /**
     * @param enqueue schedules the processing of an accepted event id on the given connection, inside the
     *                transaction that records the event
     */
    public StripeWebhooks(SecretValue secret, Duration tolerance, Clock clock, EventStore store, BiConsumer<Connection, String> enqueue) {
        this.secret = secret;
        this.toleranceSeconds = tolerance.toSeconds();
        this.clock = clock;
        this.store = store;
        this.enqueue = enqueue;
    }

    /**
     * Handles one delivery.
     *
     * @param rawBody         the request body exactly as received
     * @param signatureHeader the {@code Stripe-Signature} header
     * @return 200 accepted / duplicate / ignored type, 400 rejected (nothing stored), 503 database unavailable
     */
    public WebhookResult handle(String rawBody, String signatureHeader) {
        if (signatureHeader == null || signatureHeader.isBlank()) {
            return WebhookResult.rejected("missing Stripe-Signature header");
        }
        if (rawBody == null || rawBody.isEmpty()) {
            return WebhookResult.rejected("empty body");
        }
        try {
            Webhook.Signature.verifyHeader(rawBody, signatureHeader, secret.reveal(), toleranceSeconds, clock);
        } catch (SignatureVerificationException e) {
            // stripe-java's messages are fixed texts (no header, payload or secret in them)
            return WebhookResult.rejected("signature rejected: " + e.getMessage());
        }
        JsonNode event;
        try {
            event = JSON.readTree(rawBody);
        } catch (JsonProcessingException e) {
            return WebhookResult.rejected("malformed JSON");
        }
        String id = event.path("id").asText("");
        String type = event.path("type").asText("");
        if (!event.isObject() || !"event".equals(event.path("object").asText()) || id.isBlank() || id.length() > MAX_ID
                || type.isBlank() || !event.path("created").canConvertToLong() || !event.path("data").path("object").isObject()) {
            return WebhookResult.rejected("not a Stripe event (needs object=event, id, type, created, data.object)");
        }
        if (!EventRouting.HANDLED.contains(type)) {
            return WebhookResult.accepted("event type " + type + " is not handled, ignored");
        }
        Optional<String> subscription = EventRouting.subscriptionId(type, event.path("data").path("object"));
        if (subscription.isEmpty()) {
            return WebhookResult.accepted("event " + id + " is not about a subscription, ignored");
        }
        ReceivedEvent received = new ReceivedEvent(id, type, event.path("api_version").asText(null), subscription.get(),
                Instant.ofEpochSecond(event.path("created").asLong()));
        try {
            // one transaction: the event id under its unique key, and its work queued
            if (!store.accept(received, clock.instant(), c -> enqueue.accept(c, id))) {
                return WebhookResult.accepted("duplicate event " + id + ", ignored");
            }
        } catch (RuntimeException e) {
            log.warn("could not record Stripe event {}: {}", id, e.getMessage());
            return WebhookResult.unavailable("could not record the event now; deliver it again");
        }
        return WebhookResult.accepted("event " + id + " accepted");
    }
}
