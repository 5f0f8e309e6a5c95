package dev.berth.core.billing;

import java.util.Map;

/**
 * What a payment gateway module (Stripe, MercadoPago, …) offers Berth and the host application. Gateway-neutral:
 * no gateway or HTTP-framework type appears here, so a host mounts any gateway the same way (a checkout link, a
 * self-service portal link, one webhook route) and a new gateway is a module, not a change to core.
 *
 * <p>A gateway never changes instances itself: it derives an {@link Entitlement} from the gateway's current
 * subscription state and feeds it to {@code Berth.billing().apply(BillingEvent)}, and it provisions the first
 * instance of a paid subscription through {@code Berth.instances().provision(...)} with an idempotency key derived
 * from the gateway's subscription id (so a replayed notification never creates a second instance).
 */
public interface BillingGateway extends AutoCloseable {

    /** Short name; also the key of the gateway's price ids in {@code Plan.priceIds()} ("stripe"). */
    String id();

    /**
     * Starts a hosted checkout for a new subscription. Retrying with the same {@link CheckoutRequest#requestKey()}
     * returns the same session instead of creating a second one.
     *
     * @throws dev.berth.spi.error.InvalidSpecException naming the field (unknown tenant, plan without a price for
     *                                                   this gateway, unknown app), nothing created
     */
    HostedSession checkout(CheckoutRequest request);

    /**
     * A self-service page where the tenant updates the payment method, changes plan or cancels.
     *
     * @throws dev.berth.spi.error.NotFoundException when the tenant has no subscription with this gateway yet
     */
    HostedSession portal(String tenantId, String returnUrl);

    /**
     * Handles one webhook delivery. {@code rawBody} is the request body exactly as received (signatures are over
     * the raw bytes); {@code headers} are keyed by lower-case header name. Answers fast: the work it implies is
     * queued durably, not done in the call.
     */
    WebhookResult handleWebhook(String rawBody, Map<String, String> headers);

    /** Compares Berth's view of every subscription with the gateway's and corrects Berth where they differ. */
    ReconciliationReport reconcile();

    /** Stops the gateway's workers. */
    @Override
    void close();
}
