package dev.berth.core;

import com.google.inject.Guice;
import dev.berth.core.catalog.Catalog;
import dev.berth.core.events.BerthEventListener;
import dev.berth.core.events.EventBus;
import dev.berth.core.lifecycle.BillingService;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.lifecycle.InstanceService;
import dev.berth.core.lifecycle.Lifecycle;
import dev.berth.core.lifecycle.LifecycleJobs;
import dev.berth.core.lifecycle.OperationService;
import dev.berth.core.lifecycle.Reconciler;
import dev.berth.core.lifecycle.StepListener;
import dev.berth.core.node.NodeService;
import dev.berth.core.placement.LeastInstancesStrategy;
import dev.berth.core.placement.PlacementStrategy;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.Database;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.core.tenant.TenantService;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.dns.DnsProvider;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.notify.Notifier;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Berth embedded in a host application: tenants, plans, the app catalog, instances and their lifecycle, nodes
 * and operations. Build it with {@link #builder()} (or Guice and {@link BerthModule}), call {@link #start()},
 * and {@link #close()} it on shutdown.
 */
public final class Berth implements AutoCloseable {

    private final Database db;
    private final Lifecycle lifecycle;
    private final TenantService tenants;
    private final PlanService plans;
    private final NodeService nodes;
    private final Catalog catalog;
    private final EventBus events;
    private final List<RuntimeProvider> providers;

    Berth(Database db, Lifecycle lifecycle, TenantService tenants, PlanService plans, NodeService nodes, Catalog catalog,
          EventBus events, List<RuntimeProvider> providers) {
        this.db = db;
        this.lifecycle = lifecycle;
        this.tenants = tenants;
        this.plans = plans;
        this.nodes = nodes;
        this.catalog = catalog;
        this.events = events;
        this.providers = providers;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the workers and the recurring jobs. */
    public Berth start() {
        lifecycle.start();
        return this;
    }

    public TenantService tenants() {
        return tenants;
    }

    public PlanService plans() {
        return plans;
    }

    public Catalog catalog() {
        return catalog;
    }

    public InstanceService instances() {
        return lifecycle.instances();
    }

    public NodeService nodes() {
        return nodes;
    }

    public OperationService operations() {
        return lifecycle.operations();
    }

    /** The billing entry point for gateway modules. */
    public BillingService billing() {
        return lifecycle.billing();
    }

    /** The periodic jobs, for hosts that run them themselves (and for tests with a fake clock). */
    public LifecycleJobs jobs() {
        return lifecycle.jobs();
    }

    public Reconciler reconciler() {
        return lifecycle.reconciler();
    }

    /**
     * Capacity checks (can a plan be placed now, where, how many more fit), migration plans of a node and its
     * evacuation.
     */
    public dev.berth.core.lifecycle.CapacityService capacity() {
        return lifecycle.capacity();
    }

    /**
     * Berth's pooled data source, for modules that keep their own tables next to Berth's (a billing gateway's
     * event log, for example) under their own Flyway history. Do not close it; {@link #close()} does.
     */
    public javax.sql.DataSource dataSource() {
        return db.dataSource();
    }

    /** Registers a listener for instance events; close the handle to unregister. */
    public AutoCloseable onEvent(BerthEventListener listener) {
        return events.subscribe(listener);
    }

    /** Stops workers and closes the database pool and providers. Instances keep running. */
    @Override
    public void close() {
        try {
            lifecycle.close();
        } finally {
            db.close();
            providers.forEach(RuntimeProvider::close);
        }
    }

    /** Builds a {@link Berth} without the host knowing Guice. */
    public static final class Builder {
        private DatabaseSettings database = DatabaseSettings.h2File("./data");
        private String keysetJson;
        private final List<RuntimeProvider> providers = new ArrayList<>();
        private Catalog catalog;
        private PlacementStrategy placement = new LeastInstancesStrategy();
        private DnsProvider dns;
        private Notifier notifier;
        private BackupStore backupStore;
        private Clock clock = Clock.systemUTC();
        private EngineSettings engine = EngineSettings.defaults();
        private StepListener stepListener = StepListener.NONE;
        private dev.berth.core.notify.NotificationSettings notifications = dev.berth.core.notify.NotificationSettings.defaults();
        private dev.berth.core.lifecycle.LostInstancePolicy onLostInstance = dev.berth.core.lifecycle.LostInstancePolicy.REPORT;

        public Builder database(DatabaseSettings settings) { this.database = settings; return this; }
        /** The operator's Tink AEAD keyset (JSON) that encrypts secrets at rest. Required. */
        public Builder encryptionKeyset(String json) { this.keysetJson = json; return this; }
        public Builder provider(RuntimeProvider provider) { this.providers.add(provider); return this; }
        public Builder catalog(Catalog catalog) { this.catalog = catalog; return this; }
        /** The global placement strategy (plans may name another); default "least-instances". */
        public Builder placement(PlacementStrategy strategy) { this.placement = strategy; return this; }
        /** The global placement strategy by name ("least-instances", "spread", "bin-pack", "balanced"). */
        public Builder placement(String strategyName) { this.placement = dev.berth.core.placement.PlacementStrategies.byName(strategyName); return this; }
        public Builder dns(DnsProvider dns) { this.dns = dns; return this; }
        public Builder notifier(Notifier notifier) { this.notifier = notifier; return this; }
        public Builder backupStore(BackupStore store) { this.backupStore = store; return this; }
        public Builder clock(Clock clock) { this.clock = clock; return this; }
        public Builder engine(EngineSettings settings) { this.engine = settings; return this; }
        public Builder stepListener(StepListener listener) { this.stepListener = listener; return this; }
        /** Operator address, termination warning lead time and retry budget of messages. */
        public Builder notifications(dev.berth.core.notify.NotificationSettings settings) { this.notifications = settings; return this; }
        /** What the reconciler does about an instance its runtime lost entirely; default REPORT (never re-created empty). */
        public Builder onLostInstance(dev.berth.core.lifecycle.LostInstancePolicy policy) { this.onLostInstance = policy; return this; }

        /**
         * Opens the database (migrating its schema) and assembles Berth. Call {@link Berth#start()} next.
         *
         * @throws InvalidSpecException naming the missing setting
         */
        public Berth build() {
            if (keysetJson == null) throw new InvalidSpecException("encryptionKeyset", "is required (see SecretCipher.generateKeysetJson())");
            if (providers.isEmpty()) throw new InvalidSpecException("providers", "at least one runtime provider is required");
            BerthConfig config = new BerthConfig(database, keysetJson, providers, catalog == null ? Catalog.builtin() : catalog,
                    placement, dns, notifier, backupStore, clock, engine, stepListener, notifications, onLostInstance);
            return Guice.createInjector(new BerthModule(config)).getInstance(Berth.class);
        }
    }
}
