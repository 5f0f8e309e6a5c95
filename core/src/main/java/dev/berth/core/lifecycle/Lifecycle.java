package dev.berth.core.lifecycle;

import dev.berth.core.catalog.Catalog;
import dev.berth.core.events.EventBus;
import dev.berth.core.notify.NotificationSettings;
import dev.berth.core.placement.PlacementStrategy;
import dev.berth.core.secret.InstanceSecrets;
import dev.berth.core.store.Database;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.dns.DnsProvider;
import dev.berth.spi.notify.Notifier;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lifecycle engine assembled: services, workers and jobs over one database. Built by {@code Berth}; hosts
 * use {@code Berth} rather than this class.
 */
public final class Lifecycle implements AutoCloseable {

    private final Engine engine;
    private final OperationQueue queue;
    private final InstanceService instances;
    private final OperationService operations;
    private final BillingService billing;
    private final LifecycleJobs jobs;
    private final Reconciler reconciler;
    private final CapacityService capacity;

    public Lifecycle(Database db, Map<String, RuntimeProvider> providers, Catalog catalog, PlacementStrategy placement,
                     Optional<DnsProvider> dns, Optional<Notifier> notifier, Optional<BackupStore> backupStore,
                     InstanceSecrets secrets, Clock clock, EventBus events, EngineSettings settings, StepListener stepListener) {
        this(db, providers, catalog, placement, dns, notifier, backupStore, secrets, clock, events, settings, stepListener,
                NotificationSettings.defaults());
    }

    public Lifecycle(Database db, Map<String, RuntimeProvider> providers, Catalog catalog, PlacementStrategy placement,
                     Optional<DnsProvider> dns, Optional<Notifier> notifier, Optional<BackupStore> backupStore,
                     InstanceSecrets secrets, Clock clock, EventBus events, EngineSettings settings, StepListener stepListener,
                     NotificationSettings notifications) {
        this(db, providers, catalog, placement, dns, notifier, backupStore, secrets, clock, events, settings, stepListener,
                notifications, LostInstancePolicy.REPORT);
    }

    /** @param onLost what the reconciler does about an instance a runtime lost */
    public Lifecycle(Database db, Map<String, RuntimeProvider> providers, Catalog catalog, PlacementStrategy placement,
                     Optional<DnsProvider> dns, Optional<Notifier> notifier, Optional<BackupStore> backupStore,
                     InstanceSecrets secrets, Clock clock, EventBus events, EngineSettings settings, StepListener stepListener,
                     NotificationSettings notifications, LostInstancePolicy onLost) {
        this.engine = new Engine(db, providers, catalog, placement, dns, notifier, backupStore, secrets, clock, events,
                settings, stepListener, notifications);
        // the queue and the services refer to each other through these small functions: submit an operation,
        // and "capacity was freed" which resubmits queued instances
        OperationQueue[] q = new OperationQueue[1];
        java.util.function.Consumer<String> submit = id -> q[0].submit(id);
        Placement placer = new Placement(engine);
        this.instances = new InstanceService(engine, placer, submit);
        this.operations = new OperationService(engine, id -> q[0].runNow(id));
        this.billing = new BillingService(engine, instances, submit);
        this.jobs = new LifecycleJobs(engine, placer, instances, billing, submit);
        this.reconciler = new Reconciler(engine, instances, onLost);
        this.capacity = new CapacityService(engine, placer, instances, submit);
        OperationRunner runner = new OperationRunner(engine, placer, jobs::placeQueued, submit);
        List<com.github.kagkarlsson.scheduler.task.helper.RecurringTask<Void>> recurring = new ArrayList<>();
        if (settings.recurringJobs()) {
            recurring.add(OperationQueue.recurring("berth-sweep-operations", settings.jobInterval(), jobs::sweepOperations));
            recurring.add(OperationQueue.recurring("berth-place-queued", settings.jobInterval(), jobs::placeQueued));
            recurring.add(OperationQueue.recurring("berth-entitlements", settings.jobInterval(), jobs::enforceEntitlements));
            recurring.add(OperationQueue.recurring("berth-backups", settings.jobInterval(), jobs::runDueBackups));
            recurring.add(OperationQueue.recurring("berth-termination-warnings", settings.jobInterval(), jobs::sendTerminationWarnings));
            recurring.add(OperationQueue.recurring("berth-health", settings.jobInterval().multipliedBy(5), jobs::checkHealth));
            recurring.add(OperationQueue.recurring("berth-node-health", settings.jobInterval(), jobs::checkNodes));
            recurring.add(OperationQueue.recurring("berth-reconcile", settings.jobInterval().multipliedBy(5), reconciler::reconcile));
        }
        this.queue = new OperationQueue(engine, runner::run, recurring);
        q[0] = queue;
    }

    /** Starts the workers and, on start, schedules any operation a previous process left unscheduled. */
    public void start() {
        queue.start();
        jobs.sweepOperations();
    }

    public InstanceService instances() {
        return instances;
    }

    public OperationService operations() {
        return operations;
    }

    public BillingService billing() {
        return billing;
    }

    public LifecycleJobs jobs() {
        return jobs;
    }

    public Reconciler reconciler() {
        return reconciler;
    }

    public CapacityService capacity() {
        return capacity;
    }

    @Override
    public void close() {
        queue.close();
    }
}
