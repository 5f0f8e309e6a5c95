package dev.berth.stripe.sync;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Subscription;
import com.stripe.param.SubscriptionListParams;
import dev.berth.core.billing.ReconciliationReport;
import dev.berth.stripe.store.SubscriptionLink;
import dev.berth.stripe.store.SubscriptionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Catches missed or failed webhooks: lists every subscription in Stripe (all statuses), and for each one created
 * through Berth compares it with Berth's instance; where they differ (never provisioned although paid, another
 * entitlement, another plan) it converges. Subscriptions Berth knows but Stripe's list did not return are read one
 * by one.
 */
public final class Reconciliation {

    private static final Logger log = LoggerFactory.getLogger(Reconciliation.class);

    private final StripeClient stripe;
    private final SubscriptionSync sync;
    private final SubscriptionStore links;

    public Reconciliation(StripeClient stripe, SubscriptionSync sync, SubscriptionStore links) {
        this.stripe = stripe;
        this.sync = sync;
        this.links = links;
    }

    public ReconciliationReport run() {
        int checked = 0;
        int corrected = 0;
        List<String> failures = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try {
            var params = SubscriptionListParams.builder().setStatus(SubscriptionListParams.Status.ALL).setLimit(100L).build();
            for (Subscription sub : stripe.v1().subscriptions().list(params).autoPagingIterable()) {
                if (!SubscriptionSync.isBerths(sub)) continue;
                seen.add(sub.getId());
                checked++;
                if (check(sub, failures)) corrected++;
            }
        } catch (StripeException | RuntimeException e) {
            failures.add("listing subscriptions: " + describe(e));
        }
        for (SubscriptionLink l : links.all()) {
            if (seen.contains(l.subscriptionId())) continue;
            checked++;
            try {
                if (check(sync.retrieve(l.subscriptionId()), failures)) corrected++;
            } catch (StripeException e) {
                failures.add(l.subscriptionId() + ": " + describe(e));
            }
        }
        if (corrected > 0 || !failures.isEmpty()) {
            log.info("Stripe reconciliation: {} checked, {} corrected, {} failed", checked, corrected, failures.size());
        }
        return new ReconciliationReport(checked, corrected, failures);
    }

    private boolean check(Subscription sub, List<String> failures) {
        try {
            if (!sync.differs(sub)) return false;
            // a correction is a new fact for Berth: a fresh id, so it is never mistaken for a replay of an earlier one
            var outcome = sync.converge(sub, "stripe-reconcile:" + sub.getId() + ":" + UUID.randomUUID());
            log.info("Stripe reconciliation corrected subscription {}: {}", sub.getId(), outcome);
            return true;
        } catch (RuntimeException e) {
            failures.add(sub.getId() + ": " + describe(e));
            return false;
        }
    }

    private static String describe(Exception e) {
        if (e instanceof StripeException s) return "Stripe API " + s.getStatusCode() + " " + s.getCode();
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
