package dev.berth.examples.server.api;

import com.google.inject.Inject;
import dev.berth.core.billing.WebhookResult;
import dev.berth.examples.server.http.ApiProblem;
import dev.berth.stripe.StripeBilling;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /webhooks/stripe}: Stripe's webhook deliveries. Public (no API key): a delivery proves itself by its
 * {@code Stripe-Signature} over the raw body, which is handed over byte for byte; the answer is the gateway's
 * (200 accepted or duplicate, 400 rejected with nothing stored, 503 to make Stripe deliver again).
 */
public final class StripeRoutes implements Routes {

    private final Optional<StripeBilling> stripe;

    @Inject
    public StripeRoutes(Optional<StripeBilling> stripe) {
        this.stripe = stripe;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/webhooks/stripe", this::webhook);
    }

    private void webhook(Context ctx) {
        StripeBilling gateway = stripe.orElseThrow(() -> new ApiProblem(404, "not-configured",
                "Stripe billing is not configured (stripe.apiKey)", null, null));
        // the signature covers the exact bytes Stripe sent (UTF-8 JSON): never re-encode or re-serialize them
        WebhookResult result = gateway.webhooks().handle(new String(ctx.bodyAsBytes(), StandardCharsets.UTF_8),
                ctx.header("Stripe-Signature"));
        ctx.status(result.status()).json(Map.of("message", result.message()));
    }
}
