package dev.berth.core.lifecycle;

import dev.berth.core.billing.Entitlement;
import dev.berth.core.catalog.AppTemplate;
import dev.berth.core.catalog.Catalog;
import dev.berth.core.catalog.InstanceContext;
import dev.berth.core.catalog.TemplateResolver;
import dev.berth.core.events.BerthEvent;
import dev.berth.core.events.EventBus;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.lifecycle.journal.StepJournal;
import dev.berth.core.notify.NotificationSettings;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.operation.OperationType;
import dev.berth.core.placement.PlacementStrategy;
import dev.berth.core.plan.PlanService;
import dev.berth.core.secret.InstanceSecrets;
import dev.berth.core.store.Database;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.NodeEntity;
import dev.berth.core.store.OperationEntity;
import dev.berth.core.store.PlanEntity;
import dev.berth.core.store.TenantEntity;
import dev.berth.spi.NodeRef;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.SecretValue;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.dns.DnsProvider;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.notify.Notifier;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the lifecycle services share: the database, the runtimes and the integrations around them. Internal
 * wiring, built once per {@code Berth}.
 */
final class Engine {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Engine.class);

    final Database db;
    final Map<String, RuntimeProvider> providers;
    final Catalog catalog;
    final PlacementStrategy placement;
    final Optional<DnsProvider> dns;
    final Optional<Notifier> notifier;
    final Optional<BackupStore> backupStore;
    final InstanceSecrets secrets;
    final Clock clock;
    final EventBus events;
    final EngineSettings settings;
    final StepListener stepListener;
    final NotificationSettings notifications;
    /** Which steps of each operation started and finished. */
    final StepJournal journal = new StepJournal();

    Engine(Database db, Map<String, RuntimeProvider> providers, Catalog catalog, PlacementStrategy placement,
           Optional<DnsProvider> dns, Optional<Notifier> notifier, Optional<BackupStore> backupStore,
           InstanceSecrets secrets, Clock clock, EventBus events, EngineSettings settings, StepListener stepListener,
           NotificationSettings notifications) {
        this.db = db;
        this.providers = Map.copyOf(providers);
        this.catalog = catalog;
        this.placement = placement;
        this.dns = dns;
        this.notifier = notifier;
        this.backupStore = backupStore;
        this.secrets = secrets;
        this.clock = clock;
        this.events = events;
        this.settings = settings;
        this.stepListener = stepListener;
        this.notifications = notifications;
    }

    /** The provider that runs instances on {@code node}. */
    RuntimeProvider providerFor(NodeEntity node) {
        RuntimeProvider p = providers.get(node.providerKind);
        if (p == null) {
            throw new UnavailableException("no provider of kind '" + node.providerKind + "' is configured for node " + node.id);
        }
        return p;
    }

    /** The request that creates (or converges) instance {@code i} at {@code version} on its node. */
    ProvisionRequest provisionRequest(InstanceEntity i, String version) {
        AppTemplate app = catalog.get(i.appId);
        // node, plan and secrets in one read: this sits on every provision's critical path
        record Stored(NodeEntity node, PlanEntity plan, TenantEntity tenant, Map<String, SecretValue> secrets) { }
        Stored stored = db.read(em -> new Stored(em.find(NodeEntity.class, i.nodeId), em.find(PlanEntity.class, i.planId),
                em.find(TenantEntity.class, i.tenantId), secrets.load(em, i.id)));
        NodeEntity n = stored.node();
        var ctx = context(i, stored.tenant());
        var components = new TemplateResolver().resolve(app, version, ctx, stored.secrets());
        var plan = PlanService.toPlan(stored.plan());
        return new ProvisionRequest(i.id, i.tenantId, i.slug, i.hostname, i.appId, version, components,
                plan.resources(), new NodeRef(n.id, n.target, n.labels),
                Map.of("berth.tenant", i.tenantId, "berth.app", i.appId));
    }

    /** The values instance {@code i}'s templates are rendered with; the owner is its tenant (when known). */
    InstanceContext context(InstanceEntity i, TenantEntity tenant) {
        var owner = tenant == null || tenant.email == null ? null : InstanceContext.Owner.of(tenant.email, tenant.name);
        return new InstanceContext(i.id, i.tenantId, i.slug, i.hostname, settings.defaultTimezone(), owner);
    }

    void publish(BerthEvent.Type type, InstanceEntity i, String detail) {
        events.publish(new BerthEvent(type, i.id, i.tenantId, clock.instant(), detail));
    }

    static Instance toInstance(InstanceEntity e) {
        return new Instance(e.id, e.tenantId, e.appId, e.appVersion, e.planId, e.slug, e.hostname, e.nodeId,
                InstanceState.valueOf(e.state), e.stateReason,
                e.suspensionReason == null ? null : SuspensionReason.valueOf(e.suspensionReason),
                Entitlement.valueOf(e.entitlement), e.activeOperation, e.createdAt, e.updatedAt);
    }

    /** The public view of an operation, with the steps its journal records as done. */
    static Operation toOperation(OperationEntity e, List<String> completedSteps) {
        return new Operation(e.id, e.instanceId, OperationType.valueOf(e.type), OperationStatus.valueOf(e.status), e.step,
                List.copyOf(completedSteps), e.attempts, e.lastError, Map.copyOf(e.params), e.createdAt, e.finishedAt);
    }

    /** Deletes a terminated instance's secrets once no backup of it is left; call only for TERMINATED instances. */
    void purgeSecretsWhenUnused(String instanceId) {
        boolean backupsLeft = backupStore.map(s -> !s.list(instanceId).isEmpty()).orElse(false);
        if (!backupsLeft && secrets.has(instanceId)) {
            int n = secrets.purge(instanceId);
            log.info("deleted {} secret(s) of terminated instance {}: its last backup is gone", n, instanceId);
        }
    }

    /** Messages stored in the database and shown to callers are cut to the column size. */
    static String truncate(String s) {
        if (s == null) return null;
        return s.length() <= 1900 ? s : s.substring(0, 1900) + "…";
    }
}
