package dev.berth.stripe.sync;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import dev.berth.core.Berth;
import dev.berth.core.billing.BillingEvent;
import dev.berth.core.billing.Entitlement;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.plan.Plan;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.stripe.store.SubscriptionLink;
import dev.berth.stripe.store.SubscriptionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Converges Berth with one Stripe subscription's <em>current</em> state, read from the Stripe API (never from a
 * webhook payload, whose order and API version are not to be trusted): provisions the instance the first time
 * the subscription is paid, and afterwards feeds the derived entitlement and plan to {@code Berth.billing()},
 * which records the event id under a unique key in the same transaction as the change it makes. Level-triggered
 * and idempotent: running it twice, or for an older event after a newer one, converges to the same state.
 */
public final class SubscriptionSync {

    /** Subscription metadata keys Berth sets at checkout. */
    public static final String TENANT = "berth_tenant_id";
    public static final String PLAN = "berth_plan_id";
    public static final String APP = "berth_app_id";
    public static final String INSTANCE = "berth_instance_id";
    /** The key of Stripe price ids in {@link Plan#priceIds()}. */
    public static final String GATEWAY = "stripe";

    /** What converging did. */
    public enum Outcome {
        /** The subscription is paid for the first time: its instance was provisioned. */
        PROVISIONED,
        /** The entitlement/plan was handed to Berth's billing entry point. */
        APPLIED,
        /** Nothing to do (same event applied before, or the instance is terminated). */
        UNCHANGED,
        /** The subscription is not payable yet ({@code incomplete}): nothing provisioned or changed. */
        WAITING,
        /** The subscription was not created through Berth (no Berth metadata). */
        NOT_BERTH
    }

    private static final Logger log = LoggerFactory.getLogger(SubscriptionSync.class);

    private final StripeClient stripe;
    private final Berth berth;
    private final SubscriptionStore links;
    private final Clock clock;

    public SubscriptionSync(StripeClient stripe, Berth berth, SubscriptionStore links, Clock clock) {
        this.stripe = stripe;
        this.berth = berth;
        this.links = links;
        this.clock = clock;
    }

    /** Reads the subscription from Stripe and converges with it. */
    public Outcome converge(String subscriptionId, String billingEventId) throws StripeException {
        return converge(retrieve(subscriptionId), billingEventId);
    }

    /** The subscription as Stripe has it now. */
    public Subscription retrieve(String subscriptionId) throws StripeException {
        return stripe.v1().subscriptions().retrieve(subscriptionId);
    }

    /**
     * Converges with a subscription already read from Stripe.
     *
     * @param billingEventId the id under which the change is recorded in Berth (unique per change)
     */
    public Outcome converge(Subscription sub, String billingEventId) {
        Desired d = desired(sub);
        if (d == null) return Outcome.NOT_BERTH;
        Instant now = clock.instant();
        Optional<SubscriptionLink> link = links.find(sub.getId());
        String instanceId = link.map(SubscriptionLink::instanceId).orElse(d.metadataInstanceId());
        if (instanceId == null) {
            if (d.entitlement().orElse(null) != Entitlement.ACTIVE) {
                links.save(d.link(null, now));
                return Outcome.WAITING;
            }
            String plan = d.planId() != null ? d.planId() : d.metadataPlanId();
            if (plan == null) {
                throw new InvalidSpecException("price", "subscription " + sub.getId() + " has price " + d.priceId()
                        + ", which no plan lists under priceIds." + GATEWAY);
            }
            // the subscription id is the idempotency key: a replayed or concurrent event yields the same instance
            Instance created = berth.instances().provision(new ProvisionCommand(d.tenantId(), d.appId(), plan,
                    "stripe-" + sub.getId(), null));
            links.save(d.link(created.id(), now));
            log.info("subscription {} is paid: provisioning instance {}", sub.getId(), created.id());
            return Outcome.PROVISIONED;
        }
        links.save(d.link(instanceId, now));
        if (d.entitlement().isEmpty()) return Outcome.WAITING;
        if (berth.instances().get(instanceId).state() == InstanceState.TERMINATED) return Outcome.UNCHANGED;
        boolean applied = berth.billing().apply(new BillingEvent(billingEventId, instanceId, d.entitlement().get(), d.planId(), now));
        return applied ? Outcome.APPLIED : Outcome.UNCHANGED;
    }

    /**
     * True when Berth's instance disagrees with the subscription: not provisioned although paid, or a different
     * entitlement or plan. Subscriptions not created through Berth never need correction.
     */
    public boolean differs(Subscription sub) {
        Desired d = desired(sub);
        if (d == null) return false;
        String instanceId = links.find(sub.getId()).map(SubscriptionLink::instanceId).orElse(d.metadataInstanceId());
        if (instanceId == null) return d.entitlement().orElse(null) == Entitlement.ACTIVE;
        Instance i = berth.instances().get(instanceId);
        if (i.state() == InstanceState.TERMINATED || d.entitlement().isEmpty()) return false;
        return i.entitlement() != d.entitlement().get() || (d.planId() != null && !d.planId().equals(i.planId()));
    }

    /** True when the subscription carries Berth's metadata. */
    public static boolean isBerths(Subscription sub) {
        Map<String, String> m = sub.getMetadata();
        return m != null && m.get(TENANT) != null && m.get(APP) != null;
    }

    private Desired desired(Subscription sub) {
        if (!isBerths(sub)) {
            log.info("subscription {} has no Berth metadata, ignored", sub.getId());
            return null;
        }
        Map<String, String> m = sub.getMetadata();
        String priceId = firstPrice(sub);
        String planId = priceId == null ? null : planForPrice(priceId).orElse(null);
        if (priceId != null && planId == null) {
            log.warn("subscription {} has price {}, which no plan lists under priceIds.{}; its plan is left as it is",
                    sub.getId(), priceId, GATEWAY);
        }
        return new Desired(sub.getId(), sub.getCustomer(), m.get(TENANT), m.get(APP), m.get(PLAN), m.get(INSTANCE), planId,
                priceId, sub.getStatus(), StripeEntitlements.of(sub.getStatus()));
    }

    /** The Berth plan whose Stripe price is {@code priceId} (plans are the configuration of prices). */
    public Optional<String> planForPrice(String priceId) {
        return berth.plans().list().stream().filter(p -> priceId.equals(p.priceIds().get(GATEWAY))).map(Plan::id).findFirst();
    }

    private static String firstPrice(Subscription sub) {
        if (sub.getItems() == null || sub.getItems().getData() == null || sub.getItems().getData().isEmpty()) return null;
        SubscriptionItem item = sub.getItems().getData().get(0);
        return item.getPrice() == null ? null : item.getPrice().getId();
    }

    private record Desired(String subscriptionId, String customerId, String tenantId, String appId, String metadataPlanId,
                           String metadataInstanceId, String planId, String priceId, String status,
                           Optional<Entitlement> entitlement) {
        SubscriptionLink link(String instanceId, Instant at) {
            return new SubscriptionLink(subscriptionId, customerId, tenantId, appId, planId, instanceId, status, priceId, at);
        }
    }
}
