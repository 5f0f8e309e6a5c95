package dev.berth.stripe.sync;

import dev.berth.core.billing.Entitlement;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.tenant.Tenant;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.stripe.StripeTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.berth.stripe.StripeTestBed.BASIC_PRICE;
import static dev.berth.stripe.StripeTestBed.PRO_PRICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A subscription's whole life driven by signed webhooks through the real engine, with a fake clock for the grace
 * period (7 days) and the retention (30 days) of the plan: instance state, data and backups at each step.
 */
class SubscriptionLifecycleTest {

    StripeTestBed bed;
    Tenant tenant;

    /** The database the bed runs on (H2 here, PostgreSQL in the *PostgresIT subclass). */
    StripeTestBed newBed() {
        return StripeTestBed.h2();
    }

    @BeforeEach
    void start() {
        bed = newBed();
        tenant = bed.tenant();
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    @Test
    void activePastDueUnpaidPaidAgainCanceledTerminated() {
        // active: Checkout completed → provisioned, credentials mailed, first periodic backup taken
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        bed.deliverAndProcess(bed.checkoutCompleted(tenant, sub));
        Instance i = bed.awaitState(bed.instanceOf(sub).id(), InstanceState.ACTIVE);
        bed.provider.writeData(i.id(), "workflows", "42");
        runDueBackups();
        List<BackupManifest> periodic = bed.backups.list(i.id());
        assertThat(periodic).hasSize(1);

        // past_due: renewal failed, Stripe retries; Berth keeps the instance running for the grace period
        bed.clock.advance(Duration.ofDays(30));
        bed.api.subscription(sub).status = "past_due";
        bed.deliverAndProcess(bed.invoiceEvent("invoice.payment_failed", sub, false));
        bed.deliverAndProcess(bed.subscriptionEvent("customer.subscription.updated", sub));
        assertThat(bed.berth.instances().get(i.id()).entitlement()).isEqualTo(Entitlement.GRACE);
        bed.clock.advance(Duration.ofDays(6));
        bed.enforce();
        assertThat(bed.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.ACTIVE);
        bed.clock.advance(Duration.ofDays(1).plusMinutes(1)); // 7 days of grace have passed
        bed.enforce();
        Instance graceOver = bed.berth.instances().get(i.id());
        assertThat(graceOver.state()).isEqualTo(InstanceState.SUSPENDED);
        assertThat(graceOver.suspensionReason()).isEqualTo(SuspensionReason.BILLING);

        // unpaid: Stripe gave up retrying → stays suspended, data and backups kept
        bed.api.subscription(sub).status = "unpaid";
        bed.deliverAndProcess(bed.subscriptionEvent("customer.subscription.updated", sub));
        Instance unpaid = bed.berth.instances().get(i.id());
        assertThat(unpaid.state()).isEqualTo(InstanceState.SUSPENDED);
        assertThat(unpaid.entitlement()).isEqualTo(Entitlement.SUSPENDED);
        assertThat(bed.provider.readData(i.id(), "workflows")).contains("42");
        assertThat(bed.backups.list(i.id())).isEqualTo(periodic);

        // paid again: the customer fixed the card in the portal → resumed with its data
        bed.clock.advance(Duration.ofDays(2));
        bed.api.subscription(sub).status = "active";
        bed.deliverAndProcess(bed.invoiceEvent("invoice.paid", sub, true));
        Instance resumed = bed.awaitState(i.id(), InstanceState.ACTIVE);
        assertThat(resumed.entitlement()).isEqualTo(Entitlement.ACTIVE);
        assertThat(resumed.suspensionReason()).isNull();
        assertThat(bed.provider.readData(i.id(), "workflows")).contains("42");
        assertThat(bed.backups.list(i.id())).isEqualTo(periodic);

        // canceled: suspended at once, kept for the 30 days of retention
        bed.awaitIdle(i.id());
        bed.clock.advance(Duration.ofDays(3));
        bed.api.subscription(sub).status = "canceled";
        bed.deliverAndProcess(bed.subscriptionEvent("customer.subscription.deleted", sub));
        Instance canceled = bed.awaitState(i.id(), InstanceState.SUSPENDED);
        assertThat(canceled.entitlement()).isEqualTo(Entitlement.ENDED);
        bed.clock.advance(Duration.ofDays(29));
        bed.enforce();
        assertThat(bed.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.SUSPENDED);
        assertThat(bed.provider.contains(i.id())).isTrue();
        assertThat(bed.backups.list(i.id())).isEqualTo(periodic);

        // terminated after retention, with a final backup taken first
        bed.clock.advance(Duration.ofDays(1).plusMinutes(1));
        bed.enforce();
        assertThat(bed.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.TERMINATED);
        assertThat(bed.provider.contains(i.id())).isFalse();
        List<BackupManifest> all = bed.backups.list(i.id());
        assertThat(all).hasSize(2);
        assertThat(all.get(0).createdAt()).isEqualTo(bed.clock.instant());
        assertThat(all.get(0).encryptionKeyRef()).isEqualTo("N8N_ENCRYPTION_KEY");

        // a late redelivery of an old "active" event cannot bring a terminated instance back
        bed.deliverAndProcess(bed.invoiceEvent("invoice.paid", sub, true));
        assertThat(bed.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.TERMINATED);
        assertThat(bed.berth.instances().list(tenant.id())).hasSize(1);
    }

    @Test
    void aPriceChangedInThePortalChangesThePlanAndItsLimits() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        bed.deliverAndProcess(bed.checkoutCompleted(tenant, sub));
        Instance i = bed.awaitIdle(bed.awaitState(bed.instanceOf(sub).id(), InstanceState.ACTIVE).id());

        bed.api.subscription(sub).price = PRO_PRICE;
        bed.deliverAndProcess(bed.subscriptionEvent("customer.subscription.updated", sub));

        Instance changed = bed.awaitIdle(i.id());
        assertThat(changed.planId()).isEqualTo("pro");
        assertThat(changed.state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(bed.provider.status(i.id()).appliedLimits().cpuRequestMillis()).isEqualTo(500);
        assertThat(bed.stripe.subscriptions().find(sub).orElseThrow().planId()).isEqualTo("pro");
    }

    @Test
    void aPausedTrialIsSuspendedAndResumedWhenTheSubscriptionResumes() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "trialing");
        bed.deliverAndProcess(bed.checkoutCompleted(tenant, sub));
        Instance i = bed.awaitIdle(bed.awaitState(bed.instanceOf(sub).id(), InstanceState.ACTIVE).id());

        bed.api.subscription(sub).status = "paused";
        bed.deliverAndProcess(bed.subscriptionEvent("customer.subscription.paused", sub));
        bed.awaitState(i.id(), InstanceState.SUSPENDED);
        bed.awaitIdle(i.id());
        bed.clock.advance(Duration.ofMinutes(5));
        bed.api.subscription(sub).status = "active";
        bed.deliverAndProcess(bed.subscriptionEvent("customer.subscription.resumed", sub));

        assertThat(bed.awaitState(i.id(), InstanceState.ACTIVE).entitlement()).isEqualTo(Entitlement.ACTIVE);
    }

    private void runDueBackups() {
        for (String op : bed.berth.jobs().runDueBackups()) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> bed.berth.operations().get(op).status() != dev.berth.core.operation.OperationStatus.IN_PROGRESS);
        }
    }
}
