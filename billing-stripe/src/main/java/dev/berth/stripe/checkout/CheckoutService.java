package dev.berth.stripe.checkout;

import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.StripeException;
import com.stripe.net.RequestOptions;
import com.stripe.param.checkout.SessionCreateParams;
import dev.berth.core.Berth;
import dev.berth.core.billing.CheckoutRequest;
import dev.berth.core.billing.HostedSession;
import dev.berth.core.instance.Instance;
import dev.berth.core.plan.Plan;
import dev.berth.core.tenant.Tenant;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.stripe.store.SubscriptionStore;
import dev.berth.stripe.sync.SubscriptionSync;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stripe Checkout (subscription mode) and the Billing (customer) portal. The Checkout Session carries Berth's ids
 * twice: {@code client_reference_id} is the tenant id and the subscription's metadata holds tenant, plan, app (and
 * instance, when the subscription pays for an existing one), so the webhook worker can provision from the
 * subscription alone.
 */
public final class CheckoutService {

    private final StripeClient stripe;
    private final Berth berth;
    private final SubscriptionStore links;

    public CheckoutService(StripeClient stripe, Berth berth, SubscriptionStore links) {
        this.stripe = stripe;
        this.berth = berth;
        this.links = links;
    }

    /**
     * Creates the Checkout Session. Idempotent by (tenant, request key): Stripe returns the same session for a
     * retried create within 24 hours.
     *
     * @throws InvalidSpecException naming the field, before anything is sent to Stripe
     */
    public HostedSession checkout(CheckoutRequest r) {
        Tenant tenant;
        try {
            tenant = berth.tenants().get(r.tenantId());
        } catch (NotFoundException e) {
            throw new InvalidSpecException("tenantId", "unknown tenant '" + r.tenantId() + "'");
        }
        Plan plan = berth.plans().find(r.planId())
                .orElseThrow(() -> new InvalidSpecException("planId", "unknown plan '" + r.planId() + "'"));
        String price = plan.priceIds().get(SubscriptionSync.GATEWAY);
        if (price == null) {
            throw new InvalidSpecException("planId", "plan '" + plan.id() + "' has no Stripe price (priceIds." + SubscriptionSync.GATEWAY + ")");
        }
        if (berth.catalog().find(r.appId()).isEmpty()) {
            throw new InvalidSpecException("appId", "unknown app '" + r.appId() + "'");
        }
        if (r.instanceId() != null) {
            Instance i;
            try {
                i = berth.instances().get(r.instanceId());
            } catch (NotFoundException e) {
                throw new InvalidSpecException("instanceId", "unknown instance '" + r.instanceId() + "'");
            }
            if (!i.tenantId().equals(tenant.id())) {
                throw new InvalidSpecException("instanceId", "instance '" + r.instanceId() + "' belongs to another tenant");
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(SubscriptionSync.TENANT, tenant.id());
        metadata.put(SubscriptionSync.PLAN, plan.id());
        metadata.put(SubscriptionSync.APP, r.appId());
        if (r.instanceId() != null) metadata.put(SubscriptionSync.INSTANCE, r.instanceId());

        var params = SessionCreateParams.builder()
                .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
                .addLineItem(SessionCreateParams.LineItem.builder().setPrice(price).setQuantity(1L).build())
                .setSuccessUrl(r.successUrl())
                .setCancelUrl(r.cancelUrl())
                .setClientReferenceId(tenant.id())
                .putAllMetadata(metadata)
                .setSubscriptionData(SessionCreateParams.SubscriptionData.builder().putAllMetadata(metadata).build());
        links.customerOf(tenant.id()).ifPresentOrElse(params::setCustomer, () -> params.setCustomerEmail(tenant.email()));
        RequestOptions options = RequestOptions.builder()
                .setIdempotencyKey("berth-checkout-" + tenant.id() + "-" + r.requestKey()).build();
        try {
            var session = stripe.v1().checkout().sessions().create(params.build(), options);
            return new HostedSession(session.getId(), session.getUrl());
        } catch (StripeException e) {
            throw translate("checkout session", e);
        }
    }

    /**
     * Creates a Billing Portal session for the tenant's Stripe customer.
     *
     * @throws NotFoundException when the tenant has no Stripe subscription yet
     */
    public HostedSession portal(String tenantId, String returnUrl) {
        if (returnUrl == null || returnUrl.isBlank()) throw new InvalidSpecException("returnUrl", "is required");
        String customer = links.customerOf(tenantId)
                .orElseThrow(() -> new NotFoundException("Stripe customer of tenant", tenantId));
        try {
            var session = stripe.v1().billingPortal().sessions().create(
                    com.stripe.param.billingportal.SessionCreateParams.builder().setCustomer(customer).setReturnUrl(returnUrl).build());
            return new HostedSession(session.getId(), session.getUrl());
        } catch (StripeException e) {
            throw translate("billing portal session", e);
        }
    }

    /** Stripe errors as Berth's typed errors; the message names the status and code, never the key or a body. */
    static BerthException translate(String what, StripeException e) {
        String detail = what + ": Stripe answered " + e.getStatusCode() + " " + e.getCode();
        if (e instanceof IdempotencyException) {
            return new ConflictException(detail + " (request key reused with different parameters)", e);
        }
        if (e instanceof ApiConnectionException || e.getStatusCode() == null || e.getStatusCode() >= 500 || e.getStatusCode() == 429) {
            return new UnavailableException(detail, e);
        }
        return new InvalidSpecException("stripe", detail);
    }
}
