package dev.berth.stripe.sync;

import dev.berth.core.billing.Entitlement;
import dev.berth.core.billing.ReconciliationReport;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.tenant.Tenant;
import dev.berth.stripe.StripeTestBed;
import dev.berth.stripe.store.EventStatus;
import dev.berth.stripe.store.ReceivedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static dev.berth.stripe.StripeTestBed.BASIC_PRICE;
import static dev.berth.stripe.StripeTestBed.PRO_PRICE;
import static org.assertj.core.api.Assertions.assertThat;

/** Missed webhooks: reconciliation compares Stripe's subscriptions with Berth's and corrects Berth. */
class ReconciliationTest {

    StripeTestBed bed;
    Tenant tenant;

    @BeforeEach
    void start() {
        bed = StripeTestBed.h2();
        tenant = bed.tenant();
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    @Test
    void aPaidSubscriptionWhoseWebhooksWereAllLostIsProvisioned() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");

        ReconciliationReport report = bed.stripe.reconcile();

        assertThat(report.checked()).isEqualTo(1);
        assertThat(report.corrected()).isEqualTo(1);
        assertThat(report.failures()).isEmpty();
        bed.awaitState(bed.instanceOf(sub).id(), InstanceState.ACTIVE);
        assertThat(bed.stripe.reconcile().corrected()).as("nothing left to correct").isZero();
    }

    @Test
    void lostStatusAndPriceChangesAreCorrectedAndOtherSubscriptionsLeftAlone() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        bed.deliverAndProcess(bed.checkoutCompleted(tenant, sub));
        Instance i = bed.awaitIdle(bed.awaitState(bed.instanceOf(sub).id(), InstanceState.ACTIVE).id());
        // not created through Berth: no metadata
        bed.api.putSubscription("sub_foreign", "cus_foreign", "unpaid", BASIC_PRICE, Map.of(), bed.now());
        assertThat(bed.stripe.reconcile()).isEqualTo(new ReconciliationReport(1, 0, java.util.List.of()));

        bed.clock.advance(Duration.ofMinutes(1));
        bed.api.subscription(sub).status = "unpaid"; // the webhook never arrived
        ReconciliationReport report = bed.stripe.reconcile();
        assertThat(report.corrected()).isEqualTo(1);
        assertThat(bed.awaitState(i.id(), InstanceState.SUSPENDED).entitlement()).isEqualTo(Entitlement.SUSPENDED);
        bed.awaitIdle(i.id());

        bed.clock.advance(Duration.ofMinutes(1));
        bed.api.subscription(sub).status = "active";
        bed.api.subscription(sub).price = PRO_PRICE;
        assertThat(bed.stripe.reconcile().corrected()).isEqualTo(1);
        bed.awaitState(i.id(), InstanceState.ACTIVE);
        bed.awaitIdle(i.id());
        // the resume and the plan change cannot run at once: the next run finishes the job
        bed.stripe.reconcile();
        assertThat(bed.awaitIdle(i.id()).planId()).isEqualTo("pro");
        assertThat(bed.stripe.reconcile().corrected()).isZero();
        assertThat(bed.stripe.subscriptions().find("sub_foreign")).isEmpty();
    }

    @Test
    void anAcceptedEventThatWasNeverScheduledIsSweptAndProcessed() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        // as if the process died between recording the delivery and scheduling its work
        assertThat(bed.stripe.events().accept(new ReceivedEvent("evt_orphan", "customer.subscription.created", "2026-07-29.dahlia",
                sub, bed.clock.instant()), bed.clock.instant())).isTrue();
        assertThat(bed.stripe.sweep()).isZero(); // too recent: maybe still being scheduled

        bed.clock.advance(Duration.ofMinutes(3));
        assertThat(bed.stripe.sweep()).isEqualTo(1);

        assertThat(bed.awaitProcessed("evt_orphan").status()).isEqualTo(EventStatus.DONE);
        bed.awaitState(bed.instanceOf(sub).id(), InstanceState.ACTIVE);
    }
}
