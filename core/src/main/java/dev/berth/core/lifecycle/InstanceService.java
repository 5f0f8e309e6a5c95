package dev.berth.core.lifecycle;

import dev.berth.core.billing.Entitlement;
import dev.berth.core.catalog.AppTemplate;
import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.operation.OperationType;
import dev.berth.core.store.Database;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.NodeEntity;
import dev.berth.core.store.OperationEntity;
import dev.berth.core.store.PlanEntity;
import dev.berth.core.store.TenantEntity;
import dev.berth.spi.SecretValue;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.LimitExceededException;
import dev.berth.spi.error.NotFoundException;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Lifecycle commands on instances. Obtained from {@code Berth.instances()}.
 *
 * <p>Every command validates, then writes the state change and a durable {@link Operation} in one transaction
 * and returns at once; a worker carries the operation out (see {@link Operation#status()}). A command that is
 * not legal in the instance's state throws {@link dev.berth.spi.error.IllegalTransitionException} and changes
 * nothing; a command while another operation is in flight throws a retryable {@link ConflictException}.
 */
public final class InstanceService {

    private static final char[] SLUG_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Engine engine;
    private final Placement placement;
    private final Consumer<String> submit;

    InstanceService(Engine engine, Placement placement, Consumer<String> submit) {
        this.engine = engine;
        this.placement = placement;
        this.submit = submit;
    }

    /**
     * Accepts a new instance. Idempotent by (tenant, idempotency key): the same command sent again, or by 100
     * threads at once, returns the one instance it created.
     *
     * @throws InvalidSpecException naming the field for an unknown tenant, app, plan or version, or an app
     *                              whose licence the operator has not acknowledged
     * @throws LimitExceededException when the tenant already has {@link EngineSettings#maxInstancesPerTenant()}
     *                                instances (a conflict with its current state, not bad input: the same request
     *                                succeeds once it has terminated one); a repeated command still returns its instance
     */
    public Instance provision(ProvisionCommand cmd) {
        var existing = findByKey(cmd.tenantId(), cmd.idempotencyKey());
        if (existing != null) return sameRequest(existing, cmd);
        AppTemplate app = engine.catalog.find(cmd.appId())
                .orElseThrow(() -> new InvalidSpecException("appId", "unknown app '" + cmd.appId() + "'"));
        engine.catalog.requireOfferable(app.id(), engine.settings.licenceAcknowledgements());
        String version = cmd.appVersion() == null ? app.defaultVersion() : cmd.appVersion();
        if (!app.supportedVersions().contains(version)) {
            throw new InvalidSpecException("appVersion", "'" + version + "' is not a supported version of " + app.id()
                    + " " + app.supportedVersions());
        }
        String instanceId = UUID.randomUUID().toString();
        String operationId;
        try {
            operationId = engine.db.inTransaction(em -> {
                if (em.find(TenantEntity.class, cmd.tenantId()) == null) {
                    throw new InvalidSpecException("tenantId", "unknown tenant '" + cmd.tenantId() + "'");
                }
                requireRoomForAnotherInstance(em, cmd.tenantId());
                if (em.find(PlanEntity.class, cmd.planId()) == null) {
                    throw new InvalidSpecException("planId", "unknown plan '" + cmd.planId() + "'");
                }
                Instant now = engine.clock.instant();
                InstanceEntity i = new InstanceEntity();
                i.id = instanceId;
                i.tenantId = cmd.tenantId();
                i.appId = app.id();
                i.appVersion = version;
                i.planId = cmd.planId();
                i.slug = newSlug();
                i.hostname = i.slug + "." + engine.settings.baseDomain();
                i.state = InstanceState.PENDING.name();
                i.entitlement = Entitlement.ACTIVE.name();
                i.entitlementAt = now;
                i.idempotencyKey = cmd.idempotencyKey();
                i.requiredLabels = new TreeMap<>(cmd.requiredLabels());
                i.createdAt = now;
                i.updatedAt = now;
                em.persist(i);
                em.flush(); // surfaces a duplicate idempotency key here, before the operation is written
                return newOperation(em, i, new OperationParams.Provision(false)).id;
            });
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                var winner = findByKey(cmd.tenantId(), cmd.idempotencyKey());
                if (winner != null) return sameRequest(winner, cmd);
            }
            throw e;
        }
        submit.accept(operationId);
        Instance created = get(instanceId);
        engine.events.publish(new BerthEvent(BerthEvent.Type.PROVISION_REQUESTED, created.id(), created.tenantId(),
                engine.clock.instant(), app.id() + " " + version));
        return created;
    }

    /**
     * Refuses a provision that would take the tenant past {@link EngineSettings#maxInstancesPerTenant()}. The
     * tenant's row is locked first, so two provisions racing for its last slot cannot both pass.
     */
    private void requireRoomForAnotherInstance(EntityManager em, String tenantId) {
        int max = engine.settings.maxInstancesPerTenant();
        if (max == 0) return;
        em.find(TenantEntity.class, tenantId, LockModeType.PESSIMISTIC_WRITE);
        long held = em.createQuery("select count(i) from InstanceEntity i where i.tenantId = :t and i.state <> 'TERMINATED'",
                Long.class).setParameter("t", tenantId).getSingleResult();
        if (held >= max) {
            throw new LimitExceededException("maxInstancesPerTenant", max, "tenant " + tenantId + " already has " + held
                    + " instance(s), the most it may have (maxInstancesPerTenant = " + max + "); terminate one first");
        }
    }

    /** Stops the instance, keeping its data. Legal from ACTIVE. */
    public Operation suspend(String instanceId, SuspensionReason reason) {
        return command(instanceId, em -> accept(em, instanceId, new OperationParams.Suspend(reason), InstanceState.ACTIVE));
    }

    /** Starts a suspended instance. Legal from SUSPENDED. */
    public Operation resume(String instanceId) {
        return command(instanceId, em -> accept(em, instanceId, new OperationParams.Resume(), InstanceState.SUSPENDED));
    }

    /** Moves the instance to another plan; the new limits are applied on its runtime. */
    public Operation changePlan(String instanceId, String planId) {
        return command(instanceId, em -> {
            if (em.find(PlanEntity.class, planId) == null) {
                throw new InvalidSpecException("planId", "unknown plan '" + planId + "'");
            }
            return accept(em, instanceId, new OperationParams.ChangePlan(planId),
                    InstanceState.ACTIVE, InstanceState.SUSPENDED);
        });
    }

    /** Moves the instance to another supported version of its app, after a backup when the runtime can take one. */
    public Operation upgrade(String instanceId, String version) {
        return command(instanceId, em -> {
            InstanceEntity i = load(em, instanceId);
            AppTemplate app = engine.catalog.get(i.appId);
            if (version == null || !app.supportedVersions().contains(version)) {
                throw new InvalidSpecException("version", "'" + version + "' is not a supported version of " + app.id()
                        + " " + app.supportedVersions());
            }
            return accept(em, instanceId, new OperationParams.Upgrade(version), InstanceState.ACTIVE);
        });
    }

    /**
     * Moves the instance to another node of the same provider (the provider's migrate capability), keeping its
     * data. The destination's room is reserved now, under the same node locks as a placement, so the move cannot
     * be overtaken by other placements. Legal from ACTIVE and SUSPENDED. To empty a whole node, use
     * {@link CapacityService#evacuate(String)}, which plans all moves together.
     *
     * @param targetNodeId the destination, or null to let the plan's placement strategy choose among the other
     *                     nodes of the instance's provider
     * @throws InvalidSpecException         naming {@code targetNodeId} when the node is unknown, is the current one,
     *                                      or runs another provider
     * @throws dev.berth.spi.error.InsufficientCapacityException when the target (or, without one, every other
     *                                      node) cannot take it, with the reasons
     */
    public Operation migrate(String instanceId, String targetNodeId) {
        return command(instanceId, em -> {
            InstanceEntity i = load(em, instanceId);
            var fleet = Allocation.fleet(em, engine.providers.keySet(), true);
            var source = i.nodeId == null ? null : em.find(dev.berth.core.store.NodeEntity.class, i.nodeId);
            var plan = dev.berth.core.plan.PlanService.toPlan(em.find(PlanEntity.class, i.planId));
            var request = placement.request(i, plan);
            String destination = targetNodeId;
            if (destination == null) {
                var others = fleet.stream()
                        .filter(n -> !n.node().id().equals(i.nodeId))
                        .filter(n -> source == null || n.node().providerKind().equals(source.providerKind))
                        .map(n -> n.candidate(i.tenantId))
                        .toList();
                var decision = placement.strategyFor(plan).place(request, others);
                destination = decision.node().orElseThrow(() ->
                        new dev.berth.spi.error.InsufficientCapacityException("no other node can take instance "
                                + instanceId + ": " + dev.berth.core.placement.MigrationPlanner.reasons(decision)));
            }
            String chosen = destination;
            var target = fleet.stream().filter(n -> n.node().id().equals(chosen)).findFirst()
                    .orElseThrow(() -> new InvalidSpecException("targetNodeId", "unknown node '" + chosen + "'"));
            if (chosen.equals(i.nodeId)) {
                throw new InvalidSpecException("targetNodeId", "instance " + instanceId + " already runs on " + chosen);
            }
            if (source != null && !source.providerKind.equals(target.node().providerKind())) {
                throw new InvalidSpecException("targetNodeId", "node " + chosen + " runs " + target.node().providerKind()
                        + ", the instance runs on " + source.providerKind);
            }
            var why = dev.berth.core.placement.NodeFilters.rejection(request, target.candidate(i.tenantId));
            if (why.isPresent()) {
                throw new dev.berth.spi.error.InsufficientCapacityException("node " + chosen + " cannot take instance "
                        + instanceId + ": " + why.get());
            }
            OperationEntity op = accept(em, instanceId, new OperationParams.Migrate(chosen),
                    InstanceState.ACTIVE, InstanceState.SUSPENDED);
            i.targetNodeId = chosen;
            return op;
        });
    }

    /** Takes a backup now. */
    public Operation backup(String instanceId) {
        return command(instanceId, em -> accept(em, instanceId, new OperationParams.Backup(),
                InstanceState.ACTIVE, InstanceState.SUSPENDED));
    }

    /** Replaces the instance's data with a backup of the same instance. */
    public Operation restore(String instanceId, String backupId) {
        if (backupId == null || backupId.isBlank()) throw new InvalidSpecException("backupId", "is required");
        return command(instanceId, em -> accept(em, instanceId, new OperationParams.Restore(backupId),
                InstanceState.ACTIVE, InstanceState.SUSPENDED));
    }

    /**
     * Removes the instance from its runtime, after a final backup when its plan takes backups. A queued
     * instance's pending provision is cancelled.
     */
    public Operation terminate(String instanceId) {
        return command(instanceId, em -> acceptTerminate(em, instanceId));
    }

    /** The instance's backups, newest first (a terminated instance's too, while they are retained). */
    public List<BackupManifest> backups(String instanceId) {
        get(instanceId);
        return engine.backupStore.map(s -> s.list(instanceId)).orElse(List.of());
    }

    /**
     * Deletes one backup of the instance now, ahead of its retention. When it was the last backup of a terminated
     * instance, the instance's secrets are deleted with it.
     *
     * @throws NotFoundException if the instance has no such backup
     */
    public void deleteBackup(String instanceId, String backupId) {
        Instance instance = get(instanceId);
        var store = engine.backupStore.orElseThrow(() -> new NotFoundException("backup", backupId));
        BackupManifest m = store.find(backupId).filter(b -> b.instanceId().equals(instanceId))
                .orElseThrow(() -> new NotFoundException("backup", backupId));
        store.delete(m.backupId());
        if (instance.state() == InstanceState.TERMINATED) {
            engine.purgeSecretsWhenUnused(instanceId);
        }
    }

    /**
     * The generated credentials of an instance, for the one hand-over to its owner (the credential mail or the
     * portal's first display). Never log them.
     */
    public Map<String, SecretValue> credentials(String instanceId) {
        get(instanceId);
        return engine.secrets.load(instanceId);
    }

    /**
     * The customer's login for the app's owner account, when the app has one: the login name, where to sign in,
     * and the first password (the template's credential secret). For the one hand-over; never log it.
     *
     * @throws NotFoundException if there is no such instance
     */
    public Optional<OwnerLogin> ownerLogin(String instanceId) {
        return OwnerLogin.find(engine, instanceId);
    }

    /** @throws NotFoundException if there is no such instance */
    public Instance get(String instanceId) {
        InstanceEntity e = engine.db.read(em -> em.find(InstanceEntity.class, instanceId));
        if (e == null) throw new NotFoundException("instance", instanceId);
        return Engine.toInstance(e);
    }

    /** A tenant's instances, oldest first. */
    public List<Instance> list(String tenantId) {
        return engine.db.read(em -> em.createQuery("select i from InstanceEntity i where i.tenantId = :t order by i.createdAt, i.id", InstanceEntity.class)
                .setParameter("t", tenantId).getResultList().stream().map(Engine::toInstance).toList());
    }

    /** Every instance in {@code state}. */
    public List<Instance> listByState(InstanceState state) {
        return engine.db.read(em -> em.createQuery("select i from InstanceEntity i where i.state = :s order by i.createdAt, i.id", InstanceEntity.class)
                .setParameter("s", state.name()).getResultList().stream().map(Engine::toInstance).toList());
    }

    // ---- internals shared with billing and jobs -----------------------------------------------------------

    /** Runs {@code accept} in a transaction, then hands the new operation to the workers. */
    Operation command(String instanceId, java.util.function.Function<EntityManager, OperationEntity> accept) {
        OperationEntity op = engine.db.inTransaction(accept);
        submit.accept(op.id);
        return Engine.toOperation(op, List.of()); // just accepted: no step has run
    }

    /** Accepts the operation {@code params} describes when the instance is in one of the {@code allowed} states and idle. */
    OperationEntity accept(EntityManager em, String instanceId, OperationParams params, InstanceState... allowed) {
        InstanceEntity i = load(em, instanceId);
        Transitions.requireState(i, params.type().name(), allowed);
        requireIdle(i);
        return newOperation(em, i, params);
    }

    OperationEntity acceptTerminate(EntityManager em, String instanceId) {
        InstanceEntity i = load(em, instanceId);
        Transitions.check(i, InstanceState.TERMINATING, OperationType.TERMINATE.name());
        if (i.activeOperation != null) {
            OperationEntity active = em.find(OperationEntity.class, i.activeOperation);
            if (InstanceState.QUEUED.name().equals(i.state) && OperationType.PROVISION.name().equals(active.type)) {
                // a queued provision holds nothing on any runtime: cancel it
                active.status = OperationStatus.FAILED.name();
                active.lastError = "cancelled: instance terminated while queued";
                active.finishedAt = engine.clock.instant();
                i.activeOperation = null;
            } else {
                requireIdle(i);
            }
        }
        var params = new OperationParams.Terminate(i.nodeId != null);
        i.state = InstanceState.TERMINATING.name();
        return newOperation(em, i, params);
    }

    private OperationEntity newOperation(EntityManager em, InstanceEntity i, OperationParams params) {
        Instant now = engine.clock.instant();
        OperationEntity op = new OperationEntity();
        op.id = UUID.randomUUID().toString();
        op.instanceId = i.id;
        op.type = params.type().name();
        op.status = OperationStatus.IN_PROGRESS.name();
        op.params = params.toMap();
        op.createdAt = now;
        op.updatedAt = now;
        em.persist(op);
        i.activeOperation = op.id;
        i.updatedAt = now;
        return op;
    }

    private static void requireIdle(InstanceEntity i) {
        if (i.activeOperation != null) {
            throw new ConflictException("instance " + i.id + " has operation " + i.activeOperation + " in progress");
        }
    }

    static InstanceEntity load(EntityManager em, String instanceId) {
        InstanceEntity i = em.find(InstanceEntity.class, instanceId);
        if (i == null) throw new NotFoundException("instance", instanceId);
        return i;
    }

    private Instance findByKey(String tenantId, String key) {
        return engine.db.read(em -> em.createQuery(
                        "select i from InstanceEntity i where i.tenantId = :t and i.idempotencyKey = :k", InstanceEntity.class)
                .setParameter("t", tenantId).setParameter("k", key).getResultStream().findFirst()
                .map(Engine::toInstance).orElse(null));
    }

    /** A reused key must carry the same request; a different one is a client bug, not a retry. */
    private static Instance sameRequest(Instance existing, ProvisionCommand cmd) {
        if (!existing.appId().equals(cmd.appId()) || !existing.planId().equals(cmd.planId())
                || (cmd.appVersion() != null && !existing.appVersion().equals(cmd.appVersion()))) {
            throw new dev.berth.spi.error.AlreadyExistsException("idempotency key '" + cmd.idempotencyKey()
                    + "' was already used for instance " + existing.id() + " with a different app, plan or version");
        }
        return existing;
    }

    private static String newSlug() {
        char[] s = new char[10];
        s[0] = (char) ('a' + RANDOM.nextInt(26)); // DNS labels read better starting with a letter
        for (int k = 1; k < s.length; k++) s[k] = SLUG_CHARS[RANDOM.nextInt(SLUG_CHARS.length)];
        return new String(s);
    }
}
