package dev.berth.testkit.engine;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.berth.core.Berth;
import dev.berth.core.BerthConfig;
import dev.berth.core.BerthModule;
import dev.berth.core.catalog.Catalog;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.lifecycle.LostInstancePolicy;
import dev.berth.core.lifecycle.StepListener;
import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.notify.NotificationSettings;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.placement.LeastInstancesStrategy;
import dev.berth.core.plan.BackupPolicy;
import dev.berth.core.plan.Plan;
import dev.berth.core.secret.SecretCipher;
import dev.berth.core.store.Database;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.core.tenant.Tenant;
import dev.berth.spi.ExecResult;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.notify.Notifier;
import dev.berth.testkit.memory.InMemoryBackupStore;
import dev.berth.testkit.memory.InMemoryDnsProvider;
import dev.berth.testkit.memory.InMemoryNotifier;
import dev.berth.testkit.memory.InMemoryProvider;
import dev.berth.testkit.memory.InMemoryProviderBuilder;
import dev.berth.testkit.time.FakeClock;
import java.util.List;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * A Berth over an in-memory runtime, DNS, notifier and backup store, with a fake clock for the jobs and short
 * worker intervals. Several harnesses may share one database (two "processes").
 */
final class EngineHarness implements AutoCloseable {

    static final String KEYSET = SecretCipher.generateKeysetJson();
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    final DatabaseSettings database;
    final InMemoryProvider provider;
    final InMemoryDnsProvider dns;
    final InMemoryNotifier notifier;
    final InMemoryBackupStore backups;
    final FakeClock clock;
    final Berth berth;
    private final Injector injector;

    private EngineHarness(DatabaseSettings database, InMemoryProvider provider, InMemoryDnsProvider dns,
                          InMemoryNotifier notifier, InMemoryBackupStore backups, FakeClock clock, EngineSettings settings,
                          StepListener listener) {
        this(database, provider, dns, notifier, backups, clock, settings, listener, notifier, Catalog.builtin(),
                NotificationSettings.defaults(), LostInstancePolicy.REPORT);
    }

    private EngineHarness(DatabaseSettings database, InMemoryProvider provider, InMemoryDnsProvider dns,
                          InMemoryNotifier notifier, InMemoryBackupStore backups, FakeClock clock, EngineSettings settings,
                          StepListener listener, Notifier notifierInUse, Catalog catalog, NotificationSettings notifications,
                          LostInstancePolicy onLost) {
        this.database = database;
        this.provider = provider;
        this.dns = dns;
        this.notifier = notifier;
        this.backups = backups;
        this.clock = clock;
        // built through the Guice module (the path Guice hosts take), which also lets a test reach the
        // database pool to simulate a crash
        var config = new BerthConfig(database, KEYSET, List.of(provider), catalog, new LeastInstancesStrategy(),
                dns, notifierInUse, backups, clock, settings, listener, notifications, onLost);
        this.injector = Guice.createInjector(new BerthModule(config));
        this.berth = injector.getInstance(Berth.class).start();
    }

    /** A fresh harness on its own database. */
    static EngineHarness create(DatabaseSettings database) {
        FakeClock clock = new FakeClock(T0);
        return new EngineHarness(database, runtime().target(InMemoryProvider.DEFAULT_TARGET, InMemoryProvider.DEFAULT_CAPACITY).clock(clock).build(), new InMemoryDnsProvider(),
                new InMemoryNotifier(), new InMemoryBackupStore(clock), clock, settings("worker-a"), StepListener.NONE);
    }

    /** A fresh harness with its own engine settings. */
    static EngineHarness create(DatabaseSettings database, EngineSettings settings) {
        FakeClock clock = new FakeClock(T0);
        return new EngineHarness(database, runtime().target(InMemoryProvider.DEFAULT_TARGET, InMemoryProvider.DEFAULT_CAPACITY).clock(clock).build(),
                new InMemoryDnsProvider(), new InMemoryNotifier(), new InMemoryBackupStore(clock), clock, settings, StepListener.NONE);
    }

    /**
     * A fresh harness with its own notifier (then {@link #notifier} is null unless it is an {@link InMemoryNotifier}),
     * catalog and notification settings.
     */
    static EngineHarness create(DatabaseSettings database, EngineSettings settings, Notifier notifier, Catalog catalog,
                                NotificationSettings notifications) {
        FakeClock clock = new FakeClock(T0);
        return new EngineHarness(database, runtime().target(InMemoryProvider.DEFAULT_TARGET, InMemoryProvider.DEFAULT_CAPACITY).clock(clock).build(),
                new InMemoryDnsProvider(), notifier instanceof InMemoryNotifier m ? m : null, new InMemoryBackupStore(clock), clock,
                settings, StepListener.NONE, notifier, catalog, notifications, LostInstancePolicy.REPORT);
    }

    /**
     * A fresh harness whose reconciler treats instances a runtime lost as {@code onLost} says, over a runtime with
     * the given targets, with operator messages going to {@value #OPERATOR}.
     */
    static EngineHarness create(DatabaseSettings database, LostInstancePolicy onLost, Map<String, Capacity> targets) {
        FakeClock clock = new FakeClock(T0);
        InMemoryNotifier notifier = new InMemoryNotifier();
        return new EngineHarness(database, InMemoryProvider.builder().targets(targets).clock(clock).build(),
                new InMemoryDnsProvider(), notifier, new InMemoryBackupStore(clock), clock, settings("worker-a"),
                StepListener.NONE, notifier, Catalog.builtin(), NotificationSettings.defaults().withOperatorEmail(OPERATOR), onLost);
    }

    static final String OPERATOR = "ops@example.com";

    /** A fresh harness over a runtime built from {@code runtime}, plus the default target. */
    static EngineHarness create(DatabaseSettings database, InMemoryProviderBuilder runtime) {
        FakeClock clock = new FakeClock(T0);
        return new EngineHarness(database, runtime.target(InMemoryProvider.DEFAULT_TARGET, InMemoryProvider.DEFAULT_CAPACITY).clock(clock).build(),
                new InMemoryDnsProvider(), new InMemoryNotifier(), new InMemoryBackupStore(clock), clock, settings("worker-a"), StepListener.NONE);
    }

    /** A fresh harness with its own settings, a runtime built from {@code runtime} (plus the default target) and a listener. */
    static EngineHarness create(DatabaseSettings database, EngineSettings settings, InMemoryProviderBuilder runtime,
                                StepListener listener) {
        FakeClock clock = new FakeClock(T0);
        return new EngineHarness(database, runtime.target(InMemoryProvider.DEFAULT_TARGET, InMemoryProvider.DEFAULT_CAPACITY).clock(clock).build(),
                new InMemoryDnsProvider(), new InMemoryNotifier(), new InMemoryBackupStore(clock), clock, settings, listener);
    }

    /** A fresh harness whose runtime has the given targets (one Berth node per target is the test's job). */
    static EngineHarness create(DatabaseSettings database, EngineSettings settings, Map<String, Capacity> targets) {
        FakeClock clock = new FakeClock(T0);
        return new EngineHarness(database, runtime().targets(targets).clock(clock).build(),
                new InMemoryDnsProvider(), new InMemoryNotifier(), new InMemoryBackupStore(clock), clock, settings, StepListener.NONE);
    }

    /**
     * Registers node {@code id} on runtime target {@code target}, with room for {@code slots} instances of the
     * "small" plan (250m CPU, 256 MiB memory requests), no overcommit or reserve, and the given labels.
     */
    Node node(String id, String target, int slots, Map<String, String> labels) {
        return berth.nodes().register(new Node(id, InMemoryProvider.KIND, target, labels,
                new Capacity(250L * slots, 256L * ResourceLimits.MIB * slots, 200L * ResourceLimits.GIB),
                Overcommit.NONE, 0, null, NodeStatus.ONLINE));
    }

    /** Saves the small and large plans. */
    EngineHarness withPlans() {
        berth.plans().save(small());
        berth.plans().save(large());
        return this;
    }

    /** A second Berth process on the same database and the same runtime (a restart or a peer). */
    EngineHarness peer(String name, StepListener listener) {
        return new EngineHarness(database, provider, dns, notifier, backups, clock, settings(name), listener);
    }

    /** A second Berth process with its own settings (a restart under the same scheduler name, or a peer). */
    EngineHarness peer(EngineSettings settings, StepListener listener) {
        return new EngineHarness(database, provider, dns, notifier, backups, clock, settings, listener);
    }

    /** Same as {@link #create} but with a step listener (to interrupt operations). */
    static EngineHarness create(DatabaseSettings database, StepListener listener) {
        FakeClock clock = new FakeClock(T0);
        return new EngineHarness(database, runtime().target(InMemoryProvider.DEFAULT_TARGET, InMemoryProvider.DEFAULT_CAPACITY).clock(clock).build(), new InMemoryDnsProvider(),
                new InMemoryNotifier(), new InMemoryBackupStore(clock), clock, settings("worker-a"), listener);
    }

    /**
     * The in-memory runtime the harness starts with: it knows {@code curl}, the program WordPress's bootstrap
     * action runs (its installer's POST), as a program that answers like an installer that worked.
     */
    static InMemoryProviderBuilder runtime() {
        return InMemoryProvider.builder().program("curl", (argv, stdin, component) -> new ExecResult(0, "", "", false));
    }

    static EngineSettings settings(String name) {
        return new EngineSettings(name, 4, Duration.ofMillis(100), Duration.ofMillis(200), 4,
                Duration.ofMillis(50), Duration.ofMillis(400), 4, Duration.ofSeconds(5), "apps.test", "UTC",
                Set.of("n8n"), false, Duration.ofSeconds(1))
                .withRecheck(Duration.ofMillis(50), Duration.ofMillis(400));
    }

    /** One node with room for about {@code slots} "small" instances and the plans the tests use. */
    EngineHarness withNodeAndPlans(int slots) {
        berth.nodes().register(new Node("node-1", InMemoryProvider.KIND, InMemoryProvider.DEFAULT_TARGET,
                Map.of("region", "eu"), new Capacity(250L * slots, 256L * ResourceLimits.MIB * slots, 200L * ResourceLimits.GIB),
                Overcommit.NONE, 0, "203.0.113.10", NodeStatus.ONLINE));
        berth.plans().save(small());
        berth.plans().save(large());
        return this;
    }

    static Plan small() {
        return new Plan("small", "Small", new ResourceLimits(250, 1000, 256 * ResourceLimits.MIB, 512 * ResourceLimits.MIB, ResourceLimits.GIB),
                BackupPolicy.every(Duration.ofDays(1), Duration.ofDays(7)), null, Duration.ofDays(7), Duration.ofDays(30), Map.of());
    }

    static Plan large() {
        return new Plan("large", "Large", new ResourceLimits(500, 2000, 512 * ResourceLimits.MIB, ResourceLimits.GIB, 2 * ResourceLimits.GIB),
                BackupPolicy.every(Duration.ofDays(1), Duration.ofDays(7)), null, Duration.ofDays(7), Duration.ofDays(30), Map.of());
    }

    Tenant tenant() {
        String ext = "cus-" + UUID.randomUUID();
        return berth.tenants().create(ext, ext + "@example.com", "Customer " + ext);
    }

    Instance provision(Tenant t, String app) {
        return berth.instances().provision(new ProvisionCommand(t.id(), app, "small", UUID.randomUUID().toString(), null));
    }

    Instance awaitState(String instanceId, InstanceState state) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> berth.instances().get(instanceId).state() == state);
        return berth.instances().get(instanceId);
    }

    Operation awaitDone(String operationId) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> berth.operations().get(operationId).status() != OperationStatus.IN_PROGRESS);
        return berth.operations().get(operationId);
    }

    /**
     * Simulates this process dying: its database pool is closed under it, so it can neither finish nor record
     * anything, and its heartbeats stop. Its threads are cleaned up by {@link #close()} at the end of the test.
     */
    void crash() {
        injector.getInstance(Database.class).close();
    }

    @Override
    public void close() {
        try {
            berth.close();
        } catch (RuntimeException e) {
            // a crashed harness has no pool left to close
        }
    }
}
