package dev.berth.stripe.webhook;

import com.stripe.Stripe;
import dev.berth.core.billing.Entitlement;
import dev.berth.core.billing.WebhookResult;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.tenant.Tenant;
import dev.berth.spi.notify.Notification;
import dev.berth.stripe.Fixtures;
import dev.berth.stripe.StripeTestBed;
import dev.berth.stripe.store.EventStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.berth.stripe.StripeTestBed.BASIC_PRICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The webhook endpoint over a real engine: signature, tolerance, malformed input, duplicates, ordering and API
 * versions. Payloads are signed with stripe-java's {@code Webhook.Signature.generateSignatureHeader}.
 */
class StripeWebhooksTest {

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
    void aValidCheckoutCompletedEventProvisionsTheInstanceAndMailsCredentials() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        String payload = bed.checkoutCompleted(tenant, sub);

        WebhookResult r = bed.deliver(payload);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.message()).contains("accepted");
        assertThat(bed.awaitProcessed(StripeTestBed.idOf(payload)).status()).isEqualTo(EventStatus.DONE);
        Instance i = bed.awaitState(bed.instanceOf(sub).id(), InstanceState.ACTIVE);
        assertThat(i.tenantId()).isEqualTo(tenant.id());
        assertThat(i.planId()).isEqualTo("basic");
        assertThat(i.appId()).isEqualTo(StripeTestBed.APP);
        assertThat(bed.api.retrievals(sub)).as("the subscription was re-read from the API").isEqualTo(1);
        // the engine's notifier sent the "instance ready" mail to the tenant (its last provisioning step); it carries
        // the logins the app template marks as credentials, none for n8n, whose owner signs up on first visit
        await().atMost(Duration.ofSeconds(10)).until(() -> !bed.notifier.sent(Notification.Type.INSTANCE_READY).isEmpty());
        List<Notification> ready = bed.notifier.sent(Notification.Type.INSTANCE_READY);
        assertThat(ready).singleElement().satisfies(n -> {
            assertThat(n.recipient()).isEqualTo(tenant.email());
            assertThat(n.instanceId()).isEqualTo(i.id());
            assertThat(n.values()).containsEntry("hostname", i.hostname());
        });
        var link = bed.stripe.subscriptions().find(sub).orElseThrow();
        assertThat(link.customerId()).isEqualTo(bed.api.subscription(sub).customer);
        assertThat(link.status()).isEqualTo("active");
    }

    @Test
    void aTamperedBodyIsRejectedAndNothingIsStored() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        String payload = bed.checkoutCompleted(tenant, sub);
        String header = StripeTestBed.sign(payload, StripeTestBed.SECRET, bed.now());
        String tampered = payload.replace("\"payment_status\": \"paid\"", "\"payment_status\": \"paid \"");
        assertThat(tampered).isNotEqualTo(payload);

        WebhookResult r = bed.stripe.webhooks().handle(tampered, header);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).contains("signature");
        assertNothingStored(payload, sub);
    }

    @Test
    void aStaleTimestampIsRejectedAndAFreshOneOfTheSameBodyAccepted() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        String payload = bed.checkoutCompleted(tenant, sub);
        String header = StripeTestBed.sign(payload, StripeTestBed.SECRET, bed.now());
        bed.clock.advance(Duration.ofMinutes(5).plusSeconds(1)); // past the 300 s tolerance

        WebhookResult stale = bed.stripe.webhooks().handle(payload, header);

        assertThat(stale.status()).isEqualTo(400);
        assertThat(stale.message()).contains("tolerance");
        assertNothingStored(payload, sub);
        // Stripe's retry of the same event carries a new timestamp and is accepted
        assertThat(bed.deliver(payload).status()).isEqualTo(200);
    }

    @Test
    void aSignatureMadeWithAnotherSecretIsRejected() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        String payload = bed.checkoutCompleted(tenant, sub);

        WebhookResult r = bed.stripe.webhooks().handle(payload, StripeTestBed.sign(payload, "whsec_someone_else", bed.now()));

        assertThat(r.status()).isEqualTo(400);
        assertNothingStored(payload, sub);
    }

    @Test
    void malformedJsonAMissingHeaderAndANonEventAreRejected() {
        String broken = "{\"id\": \"evt_broken\", \"object\": \"event\", ";
        assertThat(bed.stripe.webhooks().handle(broken, StripeTestBed.sign(broken, StripeTestBed.SECRET, bed.now())))
                .isEqualTo(WebhookResult.rejected("malformed JSON"));
        String notAnEvent = "{\"id\": \"cus_1\", \"object\": \"customer\"}";
        assertThat(bed.stripe.webhooks().handle(notAnEvent, StripeTestBed.sign(notAnEvent, StripeTestBed.SECRET, bed.now())).status())
                .isEqualTo(400);
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        String payload = bed.checkoutCompleted(tenant, sub);
        assertThat(bed.stripe.webhooks().handle(payload, null).status()).isEqualTo(400);
        assertThat(bed.stripe.handleWebhook(payload, Map.of()).status()).isEqualTo(400);
        assertThat(bed.stripe.events().find("evt_broken")).isEmpty();
        assertNothingStored(payload, sub);
    }

    @Test
    void anEventTypeThatDoesNotDriveEntitlementIsAcknowledgedAndNotStored() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "trialing");
        String payload = bed.subscriptionEvent("customer.subscription.trial_will_end", sub);

        WebhookResult r = bed.stripe.handleWebhook(payload, Map.of("stripe-signature", StripeTestBed.sign(payload, StripeTestBed.SECRET, bed.now())));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.message()).contains("not handled");
        assertNothingStored(payload, sub);
    }

    @Test
    void threeDeliveriesOfOneEventHaveOneEffect() throws Exception {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        String payload = bed.checkoutCompleted(tenant, sub);
        String id = StripeTestBed.idOf(payload);

        // delivered three times at once (Stripe retries while the first delivery is still in flight)
        ExecutorService pool = Executors.newFixedThreadPool(3);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<WebhookResult>> calls = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            calls.add(pool.submit(() -> {
                go.await();
                return bed.deliver(payload);
            }));
        }
        go.countDown();
        List<WebhookResult> answers = new ArrayList<>();
        for (Future<WebhookResult> f : calls) answers.add(f.get(20, TimeUnit.SECONDS));
        pool.shutdown();

        assertThat(answers).extracting(WebhookResult::status).containsOnly(200);
        assertThat(answers).filteredOn(a -> a.message().contains("duplicate")).hasSize(2);
        bed.awaitProcessed(id);
        Instance i = bed.awaitState(bed.instanceOf(sub).id(), InstanceState.ACTIVE);
        // a late redelivery after processing is still a duplicate
        assertThat(bed.deliver(payload).message()).contains("duplicate");
        assertThat(bed.berth.instances().list(tenant.id())).singleElement().extracting(Instance::id).isEqualTo(i.id());
        assertThat(bed.api.retrievals(sub)).as("processed once").isEqualTo(1);
        assertThat(bed.provider.createCount(i.id())).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> !bed.notifier.sent(Notification.Type.INSTANCE_READY).isEmpty());
        assertThat(bed.notifier.sent(Notification.Type.INSTANCE_READY)).hasSize(1);
    }

    @Test
    void aCheckoutForAnExistingInstancePaysForThatInstance() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        bed.deliverAndProcess(bed.checkoutCompleted(tenant, sub));
        Instance first = bed.awaitIdle(bed.awaitState(bed.instanceOf(sub).id(), InstanceState.ACTIVE).id());
        // a second subscription (say after the first was canceled) that names the instance it pays for
        String second = "sub_1QxSecond";
        bed.api.putSubscription(second, bed.api.subscription(sub).customer, "unpaid", BASIC_PRICE,
                Map.of("berth_tenant_id", tenant.id(), "berth_plan_id", "basic", "berth_app_id", StripeTestBed.APP,
                        "berth_instance_id", first.id()), bed.now());

        bed.deliverAndProcess(bed.subscriptionEvent("customer.subscription.created", second));

        assertThat(bed.awaitState(first.id(), InstanceState.SUSPENDED).entitlement()).isEqualTo(Entitlement.SUSPENDED);
        assertThat(bed.stripe.subscriptions().find(second).orElseThrow().instanceId()).isEqualTo(first.id());
        assertThat(bed.berth.instances().list(tenant.id())).hasSize(1);
    }

    @Test
    void updatedBeforeCreatedStillEndsWithOneActiveInstance() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "incomplete");
        String created = bed.subscriptionEvent("customer.subscription.created", sub); // snapshot says incomplete
        bed.api.subscription(sub).status = "active";
        String updated = bed.subscriptionEvent("customer.subscription.updated", sub);

        bed.deliverAndProcess(updated); // delivered first
        Instance i = bed.awaitState(bed.instanceOf(sub).id(), InstanceState.ACTIVE);
        bed.deliverAndProcess(created); // its "incomplete" snapshot is not trusted: the API says active

        assertThat(bed.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(bed.berth.instances().get(i.id()).entitlement()).isEqualTo(Entitlement.ACTIVE);
        assertThat(bed.berth.instances().list(tenant.id())).hasSize(1);
    }

    @Test
    void anIncompleteSubscriptionWaitsAndIsProvisionedOnceItIsPaid() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "incomplete");
        bed.deliverAndProcess(bed.checkoutCompleted(tenant, sub));
        assertThat(bed.berth.instances().list(tenant.id())).isEmpty();
        assertThat(bed.stripe.subscriptions().find(sub).orElseThrow().status()).isEqualTo("incomplete");

        bed.api.subscription(sub).status = "active";
        bed.deliverAndProcess(bed.invoiceEvent("invoice.paid", sub, true));

        bed.awaitState(bed.instanceOf(sub).id(), InstanceState.ACTIVE);
    }

    @Test
    void deletedBeforeUpdatedLeavesTheInstanceSuspendedForGood() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        bed.deliverAndProcess(bed.checkoutCompleted(tenant, sub));
        Instance i = bed.awaitState(bed.instanceOf(sub).id(), InstanceState.ACTIVE);
        String updated = bed.subscriptionEvent("customer.subscription.updated", sub); // snapshot: active
        bed.api.subscription(sub).status = "canceled";
        String deleted = bed.subscriptionEvent("customer.subscription.deleted", sub);

        bed.deliverAndProcess(deleted);
        bed.awaitState(i.id(), InstanceState.SUSPENDED);
        bed.clock.advance(Duration.ofSeconds(30));
        bed.deliverAndProcess(updated); // older event, "active" snapshot: must not resume
        bed.enforce();

        Instance after = bed.berth.instances().get(i.id());
        assertThat(after.state()).isEqualTo(InstanceState.SUSPENDED);
        assertThat(after.entitlement()).isEqualTo(Entitlement.ENDED);
    }

    @Test
    void anEventRenderedInAnOlderApiVersionIsHandledFromTheSubscriptionItself() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        bed.deliverAndProcess(bed.checkoutCompleted(tenant, sub));
        Instance i = bed.awaitState(bed.instanceOf(sub).id(), InstanceState.ACTIVE);
        bed.api.subscription(sub).status = "unpaid";
        // a 2024 invoice: no parent.subscription_details, the subscription id at the top level, a field since removed
        String invoice = Fixtures.render("invoice_2024-06-20.json", Map.of("id", "in_1QxOld", "amount_paid", "0",
                "amount_remaining", "1000", "attempt_count", "4", "created", Long.toString(bed.now()),
                "customer", bed.api.subscription(sub).customer, "subscription", sub, "status", "open", "paid", "false"));
        String payload = bed.event(bed.newEventId(), "invoice.payment_failed", invoice, "2024-06-20");
        assertThat(payload).doesNotContain(Stripe.API_VERSION);

        assertThat(bed.deliverAndProcess(payload).status()).isEqualTo(EventStatus.DONE);

        Instance suspended = bed.awaitState(i.id(), InstanceState.SUSPENDED);
        assertThat(suspended.entitlement()).isEqualTo(Entitlement.SUSPENDED);
        assertThat(bed.stripe.events().find(StripeTestBed.idOf(payload)).orElseThrow().event().apiVersion()).isEqualTo("2024-06-20");
    }

    @Test
    void aStripeOutageIsRetriedUntilTheEventIsApplied() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        bed.api.failNext(2);

        var done = bed.deliverAndProcess(bed.checkoutCompleted(tenant, sub));

        assertThat(done.status()).isEqualTo(EventStatus.DONE);
        assertThat(done.attempts()).isEqualTo(3);
        bed.awaitState(bed.instanceOf(sub).id(), InstanceState.ACTIVE);
    }

    @Test
    void anEventForASubscriptionStripeDoesNotKnowFailsWithoutRetrying() {
        String payload = bed.event(bed.newEventId(), "customer.subscription.updated",
                "{\"id\": \"sub_unknown\", \"object\": \"subscription\", \"status\": \"active\"}", Stripe.API_VERSION);

        var failed = bed.deliverAndProcess(payload);

        assertThat(failed.status()).isEqualTo(EventStatus.FAILED);
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.lastError()).contains("404").doesNotContain("sk_test");
    }

    @Test
    void whenTheDatabaseIsUnreachableTheDeliveryIsAnswered503SoStripeDeliversItAgain() {
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        String payload = bed.checkoutCompleted(tenant, sub);
        ((com.zaxxer.hikari.HikariDataSource) bed.berth.dataSource()).close();

        WebhookResult r = bed.deliver(payload);

        assertThat(r.status()).isEqualTo(503);
        assertThat(r.message()).doesNotContain(StripeTestBed.SECRET).doesNotContain("jdbc:");
        assertThat(bed.api.retrievals(sub)).isZero();
    }

    private void assertNothingStored(String payload, String sub) {
        assertThat(bed.stripe.events().find(StripeTestBed.idOf(payload))).isEmpty();
        assertThat(bed.stripe.subscriptions().find(sub)).isEmpty();
        assertThat(bed.berth.instances().list(tenant.id())).isEmpty();
        assertThat(bed.api.retrievals(sub)).isZero();
    }
}
