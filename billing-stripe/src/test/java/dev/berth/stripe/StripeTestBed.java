package dev.berth.stripe;

import dev.berth.core.Berth;
import dev.berth.core.billing.WebhookResult;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.plan.BackupPolicy;
import dev.berth.core.plan.Isolation;
import dev.berth.core.plan.Plan;
import dev.berth.core.secret.SecretCipher;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.core.tenant.Tenant;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.SecretValue;
import dev.berth.stripe.store.EventStatus;
import dev.berth.stripe.store.StoredEvent;
import dev.berth.stripe.sync.SubscriptionSync;
import dev.berth.testkit.memory.InMemoryBackupStore;
import dev.berth.testkit.memory.InMemoryNotifier;
import dev.berth.testkit.memory.InMemoryProvider;
import dev.berth.testkit.time.FakeClock;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * A real Berth engine (in-memory runtime, backup store and notifier, H2, fake clock) with the Stripe gateway
 * pointed at a {@link FakeStripeApi}. Webhook payloads are signed with stripe-java's own signature helper.
 */
public final class StripeTestBed implements AutoCloseable {

    public static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    public static final String SECRET = "whsec_" + UUID.randomUUID().toString().replace("-", "");
    public static final String BASIC_PRICE = "price_1QxBasicMonthlyUsd";
    public static final String PRO_PRICE = "price_1QxProMonthlyUsd";
    public static final String APP = "n8n";

    public final FakeClock clock = new FakeClock(T0);
    public final InMemoryProvider provider = InMemoryProvider.builder()
            .target(InMemoryProvider.DEFAULT_TARGET, InMemoryProvider.DEFAULT_CAPACITY).clock(clock).build();
    public final InMemoryBackupStore backups = new InMemoryBackupStore(clock);
    public final InMemoryNotifier notifier = new InMemoryNotifier();
    public final FakeStripeApi api = new FakeStripeApi();
    public final Berth berth;
    public final StripeBilling stripe;
    private final AtomicInteger ids = new AtomicInteger();

    private StripeTestBed(DatabaseSettings database) {
        String name = "t-" + UUID.randomUUID().toString().substring(0, 8);
        this.berth = Berth.builder()
                .database(database)
                .encryptionKeyset(SecretCipher.generateKeysetJson())
                .provider(provider)
                .backupStore(backups)
                .notifier(notifier)
                .clock(clock)
                .engine(new EngineSettings(name, 4, Duration.ofMillis(100), Duration.ofMillis(200), 4, Duration.ofMillis(50),
                        Duration.ofMillis(400), 4, Duration.ofSeconds(5), "apps.test", "UTC", Set.of(APP), false, Duration.ofSeconds(1)))
                .build()
                .start();
        berth.nodes().register(new Node("node-1", InMemoryProvider.KIND, InMemoryProvider.DEFAULT_TARGET, Map.of(),
                new Capacity(8000, 16 * ResourceLimits.GIB, 200 * ResourceLimits.GIB), Overcommit.NONE, 0, "203.0.113.10", NodeStatus.ONLINE));
        berth.plans().save(plan("basic", BASIC_PRICE, 250));
        berth.plans().save(plan("pro", PRO_PRICE, 500));
        StripeSettings settings = new StripeSettings(SecretValue.of("sk_test_fake"), SecretValue.of(SECRET), api.base(),
                Duration.ofMinutes(5), "s-" + name, 2, Duration.ofMillis(100), Duration.ofMillis(50), 4, null, Duration.ofMinutes(2));
        this.stripe = StripeBilling.builder(berth, settings).clock(clock).build().start();
    }

    public static StripeTestBed h2() {
        return new StripeTestBed(DatabaseSettings.h2Memory("stripe-" + UUID.randomUUID()));
    }

    /**
     * On PostgreSQL, in a schema of its own ({@code stripe_it}, emptied first) of the database named by
     * {@code BERTH_TEST_POSTGRES_URL} (what {@code ./test.sh} starts), so it never touches another suite's schema.
     * Fails, never skips, when PostgreSQL is unreachable.
     */
    public static StripeTestBed postgres() {
        String url = env("BERTH_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/berth_test");
        String user = env("BERTH_TEST_POSTGRES_USER", "berth");
        String password = env("BERTH_TEST_POSTGRES_PASSWORD", "berth");
        try (var c = java.sql.DriverManager.getConnection(url, user, password); var st = c.createStatement()) {
            st.execute("drop schema if exists stripe_it cascade");
            st.execute("create schema stripe_it");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + url + " is required for this test (run ./test.sh): " + e.getMessage(), e);
        }
        return new StripeTestBed(new DatabaseSettings(url + (url.contains("?") ? "&" : "?") + "currentSchema=stripe_it", user, password, 10));
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** Daily backups kept 7 days, 7 days of grace, 30 days of retention, priced in Stripe. */
    static Plan plan(String id, String price, long cpu) {
        return new Plan(id, id, new ResourceLimits(cpu, 2 * cpu, 256 * ResourceLimits.MIB, 512 * ResourceLimits.MIB, ResourceLimits.GIB),
                BackupPolicy.every(Duration.ofDays(1), Duration.ofDays(7)), Isolation.SHARED, Duration.ofDays(7), Duration.ofDays(30),
                Map.of(SubscriptionSync.GATEWAY, price));
    }

    public Tenant tenant() {
        String ext = "cust-" + ids.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 6);
        return berth.tenants().create(ext, ext + "@example.com", "Customer " + ext);
    }

    /** A subscription as Stripe holds it after a Berth checkout for {@code tenant} on {@code plan}. */
    public String subscription(Tenant tenant, String plan, String price, String status) {
        String id = "sub_1Qx" + ids.incrementAndGet() + UUID.randomUUID().toString().substring(0, 8);
        api.putSubscription(id, "cus_" + tenant.id().substring(0, 8), status, price,
                Map.of(SubscriptionSync.TENANT, tenant.id(), SubscriptionSync.PLAN, plan, SubscriptionSync.APP, APP), now() - 60);
        return id;
    }

    public long now() {
        return clock.instant().getEpochSecond();
    }

    /** An event with the given data object, rendered in {@code apiVersion}. */
    public String event(String eventId, String type, String object, String apiVersion) {
        return StripeEvents.event(eventId, type, object, apiVersion, now());
    }

    public String newEventId() {
        return StripeEvents.newEventId();
    }

    /** {@code customer.subscription.*} with the subscription's current snapshot, in the SDK's API version. */
    public String subscriptionEvent(String type, String subscriptionId) {
        return StripeEvents.subscriptionEvent(api, type, subscriptionId, now());
    }

    /** {@code checkout.session.completed} for a paid subscription checkout. */
    public String checkoutCompleted(Tenant tenant, String subscriptionId) {
        return StripeEvents.checkoutCompleted(api, tenant.id(), tenant.email(), subscriptionId, now());
    }

    /** {@code invoice.paid} / {@code invoice.payment_failed} in the SDK's API version. */
    public String invoiceEvent(String type, String subscriptionId, boolean paid) {
        String invoice = Fixtures.render("invoice.json", Map.of("id", "in_1Qx" + ids.incrementAndGet(), "amount_paid", paid ? "1000" : "0",
                "amount_remaining", paid ? "0" : "1000", "attempt_count", paid ? "1" : "2", "created", Long.toString(now()),
                "customer", api.subscription(subscriptionId).customer, "subscription", subscriptionId, "status", paid ? "paid" : "open"));
        return event(newEventId(), type, invoice, com.stripe.Stripe.API_VERSION);
    }

    /** Signs with the endpoint secret at the fake clock's time and delivers. */
    public WebhookResult deliver(String payload) {
        return stripe.webhooks().handle(payload, sign(payload, SECRET, now()));
    }

    public static String sign(String payload, String secret, long timestamp) {
        return StripeEvents.sign(payload, secret, timestamp);
    }

    public static String idOf(String payload) {
        return StripeEvents.idOf(payload);
    }

    /** Waits until the worker has finished the event (DONE or FAILED). */
    public StoredEvent awaitProcessed(String eventId) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(25)).until(() ->
                stripe.events().find(eventId).map(e -> e.status() != EventStatus.RECEIVED).orElse(false));
        return stripe.events().find(eventId).orElseThrow();
    }

    /** Delivers, checks the answer is 200 and waits for the worker. */
    public StoredEvent deliverAndProcess(String payload) {
        WebhookResult r = deliver(payload);
        if (r.status() != 200) throw new AssertionError("delivery answered " + r);
        return awaitProcessed(idOf(payload));
    }

    public Instance instanceOf(String subscriptionId) {
        String id = stripe.subscriptions().find(subscriptionId).orElseThrow().instanceId();
        return berth.instances().get(id);
    }

    public Instance awaitState(String instanceId, InstanceState state) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(25))
                .until(() -> berth.instances().get(instanceId).state() == state);
        return berth.instances().get(instanceId);
    }

    /** Waits until the instance has no operation in flight. */
    public Instance awaitIdle(String instanceId) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(25))
                .until(() -> berth.instances().get(instanceId).activeOperationId() == null);
        return berth.instances().get(instanceId);
    }

    /** Runs core's entitlement job and waits for what it started. */
    public void enforce() {
        for (String op : berth.jobs().enforceEntitlements()) {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(25))
                    .until(() -> berth.operations().get(op).status() != OperationStatus.IN_PROGRESS);
        }
    }

    @Override
    public void close() {
        try {
            stripe.close();
        } finally {
            try {
                berth.close();
            } finally {
                api.close();
            }
        }
    }
}
