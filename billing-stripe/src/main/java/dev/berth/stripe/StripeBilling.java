package dev.berth.stripe;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.stripe.StripeClient;
import dev.berth.core.Berth;
import dev.berth.core.billing.BillingGateway;
import dev.berth.core.billing.CheckoutRequest;
import dev.berth.core.billing.HostedSession;
import dev.berth.core.billing.ReconciliationReport;
import dev.berth.core.billing.WebhookResult;
import dev.berth.spi.error.UnavailableException;
import dev.berth.stripe.checkout.CheckoutService;
import dev.berth.stripe.store.EventStore;
import dev.berth.stripe.store.SubscriptionStore;
import dev.berth.stripe.sync.EventProcessor;
import dev.berth.stripe.sync.Reconciliation;
import dev.berth.stripe.sync.SubscriptionSync;
import dev.berth.stripe.webhook.EventQueue;
import dev.berth.stripe.webhook.StripeWebhooks;
import org.flywaydb.core.Flyway;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Stripe as Berth's billing gateway: Checkout and Billing Portal sessions, signed webhooks queued durably and
 * applied from the subscription's current state, and a periodic reconciliation. Its tables live in Berth's
 * database under their own Flyway history ({@code flyway_stripe_history}).
 *
 * <pre>{@code
 * StripeBilling stripe = StripeBilling.builder(berth, StripeSettings.defaults(apiKey, webhookSecret)).build().start();
 * // POST /webhooks/stripe:
 * WebhookResult r = stripe.webhooks().handle(rawBody, request.header("Stripe-Signature"));
 * }</pre>
 */
public final class StripeBilling implements BillingGateway {

    private final StripeSettings settings;
    private final EventStore events;
    private final SubscriptionStore subscriptions;
    private final SubscriptionSync sync;
    private final CheckoutService checkout;
    private final Reconciliation reconciliation;
    private final EventQueue queue;
    private final StripeWebhooks webhooks;
    private final Clock clock;

    private StripeBilling(Berth berth, StripeSettings settings, StripeClient stripe, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        DataSource ds = berth.dataSource();
        migrate(ds);
        this.events = new EventStore(ds);
        this.subscriptions = new SubscriptionStore(ds);
        this.sync = new SubscriptionSync(stripe, berth, subscriptions, clock);
        this.checkout = new CheckoutService(stripe, berth, subscriptions);
        this.reconciliation = new Reconciliation(stripe, sync, subscriptions);
        EventProcessor processor = new EventProcessor(events, sync, settings, clock);
        List<RecurringTask<Void>> recurring = new ArrayList<>();
        recurring.add(EventQueue.recurring("stripe-sweep", settings.sweepAfter(), this::sweep));
        if (settings.reconcileInterval() != null) {
            recurring.add(EventQueue.recurring("stripe-reconcile", settings.reconcileInterval(), reconciliation::run));
        }
        this.queue = new EventQueue(ds, settings, processor::process, recurring);
        this.webhooks = new StripeWebhooks(settings.webhookSecret(), settings.signatureTolerance(), clock, events, queue::submitInTransaction);
    }

    public static Builder builder(Berth berth, StripeSettings settings) {
        return new Builder(berth, settings);
    }

    /** Starts the event workers and the recurring jobs. */
    public StripeBilling start() {
        queue.start();
        return this;
    }

    @Override
    public String id() {
        return SubscriptionSync.GATEWAY;
    }

    /** The webhook endpoint for an HTTP layer: {@code handle(rawBody, stripeSignatureHeader)}. */
    public StripeWebhooks webhooks() {
        return webhooks;
    }

    @Override
    public HostedSession checkout(CheckoutRequest request) {
        return checkout.checkout(request);
    }

    @Override
    public HostedSession portal(String tenantId, String returnUrl) {
        return checkout.portal(tenantId, returnUrl);
    }

    @Override
    public WebhookResult handleWebhook(String rawBody, Map<String, String> headers) {
        return webhooks.handle(rawBody, headers == null ? null : headers.get("stripe-signature"));
    }

    @Override
    public ReconciliationReport reconcile() {
        return reconciliation.run();
    }

    /**
     * Schedules again every accepted event still waiting after {@link StripeSettings#sweepAfter()}: a safety net,
     * since a delivery is recorded and scheduled in one transaction; it only matters when a scheduled execution
     * was lost. Run periodically; idempotent (an event already scheduled is left as it is).
     *
     * @return how many events were queued again
     */
    public int sweep() {
        List<String> ids = events.queuedBefore(clock.instant().minus(settings.sweepAfter()), 1000);
        ids.forEach(queue::submit);
        return ids.size();
    }

    /** The accepted-event log (processing state per event id). */
    public EventStore events() {
        return events;
    }

    /** Subscription ↔ tenant ↔ instance links. */
    public SubscriptionStore subscriptions() {
        return subscriptions;
    }

    @Override
    public void close() {
        queue.close();
    }

    private static void migrate(DataSource ds) {
        boolean postgres;
        try (Connection c = ds.getConnection()) {
            postgres = c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
        } catch (SQLException e) {
            throw new UnavailableException("database is unreachable: " + e.getMessage(), e);
        }
        Flyway.configure()
                .dataSource(ds)
                .locations("classpath:db/migration/stripe")
                .table("flyway_stripe_history")
                // Berth's own tables are already there: start this module's history at an empty baseline
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .placeholders(Map.of("blob_type", postgres ? "bytea" : "varbinary(1048576)"))
                .load()
                .migrate();
    }

    /** Assembles the gateway; {@link #build()} migrates the module's tables. */
    public static final class Builder {
        private final Berth berth;
        private final StripeSettings settings;
        private StripeClient client;
        private Clock clock = Clock.systemUTC();

        private Builder(Berth berth, StripeSettings settings) {
            this.berth = berth;
            this.settings = settings;
        }

        /** The clock for signature tolerance and recorded times; use the same one Berth was built with. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** A ready Stripe client (otherwise one is built from the settings' API key and base). */
        public Builder client(StripeClient client) {
            this.client = client;
            return this;
        }

        public StripeBilling build() {
            StripeClient c = client;
            if (c == null) {
                var b = StripeClient.builder().setApiKey(settings.apiKey().reveal());
                if (settings.apiBase() != null) b.setApiBase(settings.apiBase());
                c = b.build();
            }
            return new StripeBilling(berth, settings, c, clock);
        }
    }
}
