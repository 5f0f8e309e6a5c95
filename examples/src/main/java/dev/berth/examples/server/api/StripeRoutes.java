package dev.berth.examples.server.api;

import com.google.inject.Inject;
import dev.berth.core.billing.CheckoutRequest;
import dev.berth.core.billing.HostedSession;
import dev.berth.core.billing.WebhookResult;
import dev.berth.examples.server.auth.Scope;
import dev.berth.examples.server.auth.TenantBoundary;
import dev.berth.examples.server.http.Json;
import dev.berth.examples.server.http.Validate;
import dev.berth.examples.server.http.ApiProblem;
import dev.berth.stripe.StripeBilling;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Stripe billing over HTTP. {@code POST /webhooks/stripe}: Stripe's webhook deliveries, public (no API key): a
 * delivery proves itself by its {@code Stripe-Signature} over the raw body, which is handed over byte for byte; the
 * answer is the gateway's (200 accepted or duplicate, 400 rejected with nothing stored, 503 to make Stripe deliver
 * again). For the portal: a Checkout Session to buy a plan, and a Billing Portal session for the tenant's Stripe
 * customer. All answer 404 while Stripe billing is not configured.
 */
public final class StripeRoutes implements Routes {

    /**
     * Body of POST /tenants/{tenantId}/billing/checkout.
     *
     * @param planId     plan to buy (it needs {@code priceIds.stripe})
     * @param appId      app to provision once paid
     * @param instanceId an existing instance the subscription pays for, or null for a new one
     * @param successUrl where Stripe sends the customer after paying
     * @param cancelUrl  where Stripe sends a customer who gives up
     * @param requestKey one value per purchase; a retry with the same value returns the same session
     */
    public record CheckoutBody(String planId, String appId, String instanceId, String successUrl, String cancelUrl,
                               String requestKey) { }

    /** Body of POST /tenants/{tenantId}/billing/portal. */
    public record PortalBody(String returnUrl) { }

    private final Optional<StripeBilling> stripe;
    private final TenantBoundary boundary;

    @Inject
    public StripeRoutes(Optional<StripeBilling> stripe, TenantBoundary boundary) {
        this.stripe = stripe;
        this.boundary = boundary;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/webhooks/stripe", this::webhook);
        r.post("/api/v1/tenants/{tenantId}/billing/checkout", this::checkout, Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.post("/api/v1/tenants/{tenantId}/billing/portal", this::portal, Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
    }

    private StripeBilling gateway() {
        return stripe.orElseThrow(() -> new ApiProblem(404, "not-configured", "Stripe billing is not configured (stripe.apiKey)", null, null));
    }

    private void checkout(Context ctx) {
        StripeBilling gateway = gateway();
        String tenantId = Validate.uuidParam(ctx, "tenantId");
        CheckoutBody b = Json.read(ctx, CheckoutBody.class);
        if (b.instanceId() != null) boundary.requireInstance(ctx, "instanceId", b.instanceId());
        HostedSession s = gateway.checkout(new CheckoutRequest(tenantId, b.planId(), b.appId(), b.instanceId(), b.successUrl(),
                b.cancelUrl(), b.requestKey()));
        ctx.status(201).json(s);
    }

    private void portal(Context ctx) {
        StripeBilling gateway = gateway();
        String tenantId = Validate.uuidParam(ctx, "tenantId");
        ctx.json(gateway.portal(tenantId, Json.read(ctx, PortalBody.class).returnUrl()));
    }

    private void webhook(Context ctx) {
        StripeBilling gateway = gateway();
        // the signature covers the exact bytes Stripe sent (UTF-8 JSON): never re-encode or re-serialize them
        WebhookResult result = gateway.webhooks().handle(new String(ctx.bodyAsBytes(), StandardCharsets.UTF_8),
                ctx.header("Stripe-Signature"));
        ctx.status(result.status()).json(Map.of("message", result.message()));
    }
}
