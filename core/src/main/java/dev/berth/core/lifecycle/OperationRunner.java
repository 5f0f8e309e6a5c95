package dev.berth.core.lifecycle;

import dev.berth.core.catalog.AppTemplate;
import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.node.NodeService;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.operation.OperationType;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.secret.InstanceSecrets;
import dev.berth.core.secret.SecretAlphabet;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.NodeEntity;
import dev.berth.core.store.OperationEntity;
import dev.berth.core.store.PlanEntity;
import dev.berth.spi.BackupSupport;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.NodeRef;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.RateLimitedException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.error.UnsupportedCapabilityException;
import dev.berth.spi.notify.Notification;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Runs one operation: its steps in order, each skipped when a previous attempt already recorded it as done,
 * each idempotent, so an operation interrupted anywhere (a crash, a lost connection) converges when it runs
 * again. Retryable errors are retried with backoff; a permanent failure is compensated before the operation is
 * marked FAILED.
 *
 * <p>Progress costs one write per step: a step that works outside the database records its start together
 * with the previous step's completion; a step whose whole effect is in the database ({@link #txStep}) does its
 * work and records its start and completion in one transaction, so it happens exactly once. A completion not yet
 * written when the process dies only means that (idempotent) step runs again.
 */
final class OperationRunner {

    private static final Logger log = LoggerFactory.getLogger(OperationRunner.class);

    /** Thrown by the placement step when no node has room: the instance waits in QUEUED. */
    private static final class Queued extends RuntimeException {
        Queued() {
            super(null, null, false, false);
        }
    }

    private final Engine engine;
    private final Placement placement;
    private final Runnable capacityFreed;
    private final Consumer<String> submit;
    private final Notifications notifications;

    OperationRunner(Engine engine, Placement placement, Runnable capacityFreed, Consumer<String> submit) {
        this.engine = engine;
        this.placement = placement;
        this.capacityFreed = capacityFreed;
        this.submit = submit;
        this.notifications = new Notifications(engine);
    }

    OperationQueue.Outcome run(String operationId) {
        OperationEntity op = engine.db.inTransaction(em -> {
            OperationEntity o = em.find(OperationEntity.class, operationId);
            if (o == null || !OperationStatus.IN_PROGRESS.name().equals(o.status)) {
                return null;
            }
            o.attempts++;
            o.updatedAt = engine.clock.instant();
            return o;
        });
        if (op == null) {
            return new OperationQueue.Outcome.Done();
        }
        Set<String> done = new LinkedHashSet<>(op.completedSteps.isEmpty() ? List.of() : Arrays.asList(op.completedSteps.split(",")));
        Context ctx = new Context(op, done);
        try {
            switch (OperationType.valueOf(op.type)) {
                case PROVISION -> provision(ctx);
                case SUSPEND -> suspend(ctx);
                case RESUME -> resume(ctx);
                case CHANGE_PLAN -> changePlan(ctx);
                case UPGRADE -> upgrade(ctx);
                case BACKUP -> backup(ctx);
                case RESTORE -> restore(ctx);
                case TERMINATE -> terminate(ctx);
                case MIGRATE -> migrate(ctx);
                case NOTIFY -> notify(ctx);
            }
            return new OperationQueue.Outcome.Done();
        } catch (Queued q) {
            // the queue job may have placed the instance while this execution was still finishing; its resubmission
            // was then a no-op (the execution still existed), so parking now would strand the placed operation
            boolean placedMeanwhile = engine.db.read(em -> em.find(InstanceEntity.class, ctx.op.instanceId).nodeId != null);
            return placedMeanwhile ? new OperationQueue.Outcome.RetryAt(Instant.now()) : new OperationQueue.Outcome.Parked();
        } catch (RuntimeException e) {
            return failed(ctx, e);
        }
    }

    // ---- operations -------------------------------------------------------------------------------------

    private void provision(Context c) {
        txStep(c, "PLACE", em -> place(em, c));
        if (c.queued) {
            throw new Queued();
        }
        txStep(c, "SECRETS", em -> {
            InstanceEntity i = em.find(InstanceEntity.class, c.op.instanceId);
            engine.secrets.ensure(em, i.id, secretSpecs(engine.catalog.get(i.appId)));
            return true;
        });
        step(c, "DNS", () -> dnsUpsert(c));
        step(c, "RUNTIME", () -> {
            var i = instance(c);
            c.observed = provider(i).provision(request(i, i.appVersion)).state();
        });
        step(c, "READY", () -> awaitRunning(c));
        // the ready message is recorded with the activation, in one transaction: it is sent (and retried) on its
        // own, so a mail server that is down never holds up or undoes the provision
        txStep(c, "ACTIVATE", em -> finish(em, c, InstanceState.ACTIVE, i -> { }, BerthEvent.Type.INSTANCE_PROVISIONED,
                Notification.Type.INSTANCE_READY, Map.of()));
    }

    private void suspend(Context c) {
        step(c, "RUNTIME", () -> provider(instance(c)).suspend(c.op.instanceId));
        String reason = c.op.params.getOrDefault("reason", "ADMIN");
        txStep(c, "FINALIZE", em -> finish(em, c, InstanceState.SUSPENDED, i -> i.suspensionReason = reason,
                BerthEvent.Type.INSTANCE_SUSPENDED, Notification.Type.INSTANCE_SUSPENDED, Map.of("reason", reason)));
    }

    private void resume(Context c) {
        step(c, "RUNTIME", () -> provider(instance(c)).resume(c.op.instanceId));
        step(c, "READY", () -> awaitRunning(c));
        txStep(c, "FINALIZE", em -> finish(em, c, InstanceState.ACTIVE, i -> i.suspensionReason = null, BerthEvent.Type.INSTANCE_RESUMED,
                Notification.Type.INSTANCE_RESUMED, Map.of()));
    }

    private void changePlan(Context c) {
        String planId = c.op.params.get("planId");
        txStep(c, "CAPACITY", em -> checkRoomForPlan(em, c.op.instanceId, planId));
        step(c, "RUNTIME", () -> {
            Plan plan = plan(planId);
            InstanceStatus s = provider(instance(c)).changePlan(c.op.instanceId, plan.resources());
            if (s.appliedLimits() != null && !s.appliedLimits().equals(plan.resources())) {
                throw new UnavailableException("runtime reports limits " + s.appliedLimits() + " after applying " + plan.resources());
            }
        });
        txStep(c, "FINALIZE", em -> finish(em, c, null, i -> i.planId = planId, BerthEvent.Type.PLAN_CHANGED));
    }

    private void upgrade(Context c) {
        String version = c.op.params.get("version");
        step(c, "BACKUP", () -> backupIfSupported(c));
        step(c, "RUNTIME", () -> {
            var i = instance(c);
            c.observed = provider(i).upgrade(request(i, version)).state();
        });
        step(c, "READY", () -> awaitRunning(c));
        txStep(c, "FINALIZE", em -> finish(em, c, null, i -> i.appVersion = version, BerthEvent.Type.INSTANCE_UPGRADED));
    }

    private void backup(Context c) {
        step(c, "BACKUP", () -> {
            var i = instance(c);
            BackupSupport support = provider(i).backups().orElseThrow(() ->
                    new UnsupportedCapabilityException("provider " + provider(i).kind() + " cannot back up instances"));
            takeBackup(c, i, support, c.op.id);
        });
        txStep(c, "FINALIZE", em -> finish(em, c, null, i -> { }, null));
    }

    private void restore(Context c) {
        String backupId = c.op.params.get("backupId");
        step(c, "RESTORE", () -> {
            var i = instance(c);
            var store = engine.backupStore.orElseThrow(() -> new UnsupportedCapabilityException("no backup store configured"));
            BackupManifest m = store.find(backupId).orElseThrow(() -> new NotFoundException("backup", backupId));
            if (!m.instanceId().equals(i.id)) {
                throw new InvalidSpecException("backupId", "belongs to another instance");
            }
            // data encrypted with a key (n8n) is useless without that key: the instance's stored secret, which is
            // never regenerated and outlives termination while backups exist, is what the runtime gets back
            if (m.encryptionKeyRef() != null && !engine.secrets.load(i.id).containsKey(m.encryptionKeyRef())) {
                throw new BerthException("backup " + backupId + " needs secret " + m.encryptionKeyRef()
                        + ", which instance " + i.id + " no longer has", false);
            }
            provider(i).backups().orElseThrow(() -> new UnsupportedCapabilityException("provider cannot restore"))
                    .restore(i.id, m, store);
        });
        txStep(c, "FINALIZE", em -> finish(em, c, null, i -> { }, BerthEvent.Type.INSTANCE_RESTORED));
    }

    /**
     * Moves the instance to the node in the "targetNode" parameter with the provider's migrate capability. The
     * destination's room was reserved when the command was accepted (the instance's target node counts on that
     * node's allocation), so nothing else can take it while the data moves.
     */
    private void migrate(Context c) {
        step(c, "RUNTIME", () -> {
            var i = instance(c);
            NodeEntity target = engine.db.read(em -> em.find(NodeEntity.class, i.targetNodeId));
            if (target == null) throw new NotFoundException("node", i.targetNodeId);
            NodeEntity source = engine.db.read(em -> em.find(NodeEntity.class, i.nodeId));
            if (!source.providerKind.equals(target.providerKind)) {
                throw new UnsupportedCapabilityException("cannot migrate between providers " + source.providerKind
                        + " and " + target.providerKind);
            }
            RuntimeProvider p = engine.providerFor(source);
            p.migration().orElseThrow(() -> new UnsupportedCapabilityException("provider " + p.kind() + " cannot migrate instances"))
                    .migrate(i.id, new NodeRef(target.id, target.target, target.labels));
        });
        txStep(c, "FINALIZE", em -> finish(em, c, null, i -> {
            i.nodeId = i.targetNodeId;
            i.targetNodeId = null;
        }, BerthEvent.Type.INSTANCE_MIGRATED));
        capacityFreed.run();
    }

    private void terminate(Context c) {
        step(c, "BACKUP", () -> {
            var i = instance(c);
            Plan plan = plan(i.planId);
            // nothing is lost: a plan with backups gets a final one before anything is removed
            if (plan.backupPolicy().enabled() && i.nodeId != null && c.op.params.containsKey("hadRuntime")) {
                BackupSupport support = provider(i).backups().orElseThrow(() -> new UnsupportedCapabilityException(
                        "plan " + plan.id() + " requires a final backup but provider " + provider(i).kind() + " cannot back up"));
                takeBackup(c, i, support, c.op.id);
            }
        });
        step(c, "RUNTIME", () -> {
            var i = instance(c);
            if (i.nodeId != null) provider(i).terminate(i.id);
        });
        step(c, "DNS", () -> engine.dns.ifPresent(d -> d.delete(instance(c).hostname)));
        txStep(c, "FINALIZE", em -> finish(em, c, InstanceState.TERMINATED, i -> { }, BerthEvent.Type.INSTANCE_TERMINATED,
                Notification.Type.INSTANCE_TERMINATED, Map.of()));
        capacityFreed.run();
    }

    private void notify(Context c) {
        step(c, "SEND", () -> notifications.deliver(c.op));
        engine.db.run(em -> {
            recordProgress(em, c, c.done);
            end(em, c.op.id, OperationStatus.SUCCEEDED, null);
        });
    }

    /** Marks an operation ended with {@code status}; a null {@code error} keeps the last error recorded. */
    private OperationEntity end(EntityManager em, String operationId, OperationStatus status, String error) {
        OperationEntity o = em.find(OperationEntity.class, operationId);
        o.status = status.name();
        if (error != null) o.lastError = error;
        o.finishedAt = engine.clock.instant();
        o.updatedAt = o.finishedAt;
        return o;
    }

    // ---- steps ------------------------------------------------------------------------------------------

    /** Places the instance; false (the step is not done) when nothing has room and it was queued. */
    private boolean place(EntityManager em, Context c) {
        InstanceEntity i = em.find(InstanceEntity.class, c.op.instanceId);
        if (i.nodeId != null) {
            return true; // placed by an earlier attempt whose step record was lost, or by the queue job
        }
        c.queued = placement.place(em, i, c.op, c.afterCommit).nodeId() == null;
        return !c.queued;
    }

    private boolean checkRoomForPlan(EntityManager em, String instanceId, String planId) {
        InstanceEntity i = em.find(InstanceEntity.class, instanceId);
        NodeEntity n = em.find(NodeEntity.class, i.nodeId, LockModeType.PESSIMISTIC_WRITE);
        Plan current = PlanService.toPlan(em.find(PlanEntity.class, i.planId));
        Plan target = PlanService.toPlan(em.find(PlanEntity.class, planId));
        var candidate = Allocation.candidate(em, NodeService.toNode(n), i.tenantId);
        // the instance's current allocation is freed by the change, so compare against free + current
        var free = candidate.free().plus(Allocation.demand(current));
        var need = Allocation.demand(target);
        if (need.cpuMillis() > free.cpuMillis() || need.memoryBytes() > free.memoryBytes() || need.diskBytes() > free.diskBytes()) {
            throw new dev.berth.spi.error.InsufficientCapacityException(
                    "node " + n.id + " has no room for plan " + planId + " (free " + free + ", needs " + need + ")");
        }
        return true;
    }

    private void dnsUpsert(Context c) {
        engine.dns.ifPresent(dns -> {
            var i = instance(c);
            NodeEntity n = engine.db.read(em -> em.find(NodeEntity.class, i.nodeId));
            if (n.publicAddress != null) {
                dns.upsert(i.hostname, n.publicAddress);
            }
        });
    }

    /**
     * Waits until the runtime reports the instance running. The runtime call of this attempt's previous step
     * returns what it observed: when that was RUNNING there is nothing to wait for (a resumed attempt, which did
     * not make that call, asks the runtime).
     */
    private void awaitRunning(Context c) {
        if (c.observed == RuntimeState.RUNNING) {
            return;
        }
        InstanceEntity i = instance(c);
        RuntimeProvider p = provider(i);
        long deadline = System.nanoTime() + engine.settings.readinessTimeout().toNanos();
        RuntimeState last = null;
        while (System.nanoTime() < deadline) {
            last = p.status(i.id).state();
            if (last == RuntimeState.RUNNING) {
                return;
            }
            sleep(200);
        }
        throw new BerthException("instance " + i.id + " not running after " + engine.settings.readinessTimeout()
                + " (last observed " + last + ")", false);
    }

    private void backupIfSupported(Context c) {
        var i = instance(c);
        provider(i).backups().ifPresent(support -> takeBackup(c, i, support, c.op.id));
    }

    private void takeBackup(Context c, InstanceEntity i, BackupSupport support, String backupId) {
        var store = engine.backupStore.orElseThrow(() -> new UnsupportedCapabilityException("no backup store configured"));
        AppTemplate app = engine.catalog.get(i.appId);
        BackupManifest m = support.backup(i.id, backupId,
                new StampingBackupStore(store, i.appId, i.appVersion, app.encryptionKeySecret(), engine.clock));
        engine.publish(BerthEvent.Type.BACKUP_COMPLETED, i, "backup " + m.backupId() + " (" + m.sizeBytes() + " bytes)");
    }

    /**
     * Ends the operation successfully and moves the instance to {@code state} (null: unchanged), in the caller's
     * transaction; the event follows the commit.
     */
    private boolean finish(EntityManager em, Context c, InstanceState state, Consumer<InstanceEntity> change,
                           BerthEvent.Type event) {
        return finish(em, c, state, change, event, null, Map.of());
    }

    /** Same, and records the message {@code notify} (null: none) in the same transaction. */
    private boolean finish(EntityManager em, Context c, InstanceState state, Consumer<InstanceEntity> change,
                           BerthEvent.Type event, Notification.Type notify, Map<String, String> values) {
        InstanceEntity i = em.find(InstanceEntity.class, c.op.instanceId);
        if (state != null && !state.name().equals(i.state)) {
            Transitions.check(i, state, c.op.type);
            i.state = state.name();
        }
        change.accept(i);
        i.stateReason = null;
        i.activeOperation = null;
        i.updatedAt = engine.clock.instant();
        OperationEntity o = em.find(OperationEntity.class, c.op.id);
        o.status = OperationStatus.SUCCEEDED.name();
        o.finishedAt = engine.clock.instant();
        o.updatedAt = o.finishedAt;
        String message = notify == null ? null : notifications.enqueue(em, i, notify, c.op.id, values);
        c.afterCommit.add(() -> {
            // the event first: a caller waiting for it need not wait for the message to be scheduled as well
            if (event != null) {
                engine.publish(event, i, null);
            }
            if (message != null) {
                submit.accept(message);
            }
        });
        return true;
    }

    // ---- failure handling -------------------------------------------------------------------------------

    private OperationQueue.Outcome failed(Context c, RuntimeException e) {
        boolean isNotify = OperationType.NOTIFY.name().equals(c.op.type);
        // a mail server refusing Berth's login is fixed by the operator, after which the message should still go out
        boolean retryable = !(e instanceof BerthException be) || be.retryable()
                || (isNotify && e instanceof dev.berth.spi.error.AuthenticationException);
        String message = Engine.truncate(e.getClass().getSimpleName() + ": " + e.getMessage());
        int maxAttempts = isNotify ? engine.notifications.maxAttempts() : engine.settings.maxAttempts();
        if (retryable && c.op.attempts < maxAttempts) {
            Duration delay = engine.settings.retryDelay(c.op.attempts);
            if (e instanceof RateLimitedException r && r.retryAfter().compareTo(delay) > 0) {
                delay = r.retryAfter(); // never call a rate-limited service back sooner than it asked
            }
            Instant at = Instant.now().plus(delay);
            log.info("operation {} ({}) attempt {} failed at step {}, retrying at {}: {}", c.op.id, c.op.type, c.op.attempts, c.op.step, at, message);
            engine.db.run(em -> {
                em.find(OperationEntity.class, c.op.id).lastError = message;
                recordProgress(em, c, c.done); // so that the retry skips the steps this attempt finished
            });
            return new OperationQueue.Outcome.RetryAt(at);
        }
        log.warn("operation {} ({}) failed for good at step {}: {}", c.op.id, c.op.type, c.op.step, message);
        if (isNotify) {
            return messageGivenUp(c, message);
        }
        try {
            compensate(c);
        } catch (RuntimeException ce) {
            // compensation is itself idempotent; if it cannot finish now, retry the whole failure path later
            log.warn("compensation of operation {} failed, retrying: {}", c.op.id, ce.getMessage());
            engine.db.run(em -> {
                em.find(OperationEntity.class, c.op.id).lastError =
                        Engine.truncate(message + " (compensation pending: " + ce.getMessage() + ")");
                recordProgress(em, c, c.done);
            });
            return new OperationQueue.Outcome.RetryAt(Instant.now().plus(engine.settings.retryDelay(c.op.attempts)));
        }
        String[] operatorMessage = new String[1];
        InstanceEntity after = engine.db.inTransaction(em -> {
            recordProgress(em, c, c.done);
            OperationEntity o = end(em, c.op.id, OperationStatus.FAILED, message);
            InstanceEntity i = em.find(InstanceEntity.class, c.op.instanceId);
            i.activeOperation = null;
            i.updatedAt = o.finishedAt;
            i.targetNodeId = null; // a failed migration releases its reservation on the destination
            if (failsInstance(OperationType.valueOf(c.op.type))) {
                i.state = InstanceState.FAILED.name();
                i.stateReason = Engine.truncate(c.op.type + " failed at step " + c.op.step + ": " + message);
                i.nodeId = null; // compensation released the runtime resources, so the placement is released too
            }
            // the operator hears of it in the same transaction that records the failure
            var type = OperationType.BACKUP.name().equals(c.op.type) ? Notification.Type.BACKUP_FAILED : Notification.Type.OPERATION_FAILED;
            operatorMessage[0] = notifications.enqueue(em, i, type, c.op.id,
                    // params share one 2000-character column: the message gets a shorter excerpt of the error
                    Map.of("operation", c.op.id, "operationType", c.op.type,
                            "error", message.length() <= 500 ? message : message.substring(0, 500) + "…"));
            return i;
        });
        if (operatorMessage[0] != null) {
            submit.accept(operatorMessage[0]);
        }
        engine.publish(BerthEvent.Type.OPERATION_FAILED, after, c.op.type + " failed: " + message);
        if (failsInstance(OperationType.valueOf(c.op.type)) || OperationType.MIGRATE.name().equals(c.op.type)) {
            capacityFreed.run(); // a failed instance or a failed migration's reservation no longer holds room
        }
        return new OperationQueue.Outcome.Done();
    }

    /** A message that could not be sent in its whole retry budget: recorded FAILED; the instance is untouched. */
    private OperationQueue.Outcome messageGivenUp(Context c, String message) {
        InstanceEntity i = engine.db.inTransaction(em -> {
            end(em, c.op.id, OperationStatus.FAILED, message);
            return em.find(InstanceEntity.class, c.op.instanceId);
        });
        engine.publish(BerthEvent.Type.OPERATION_FAILED, i, "NOTIFY " + c.op.params.get(Notifications.TYPE_PARAM) + " failed: " + message);
        return new OperationQueue.Outcome.Done();
    }

    /** Provision and terminate leave the instance FAILED; other commands leave it as it was. */
    private static boolean failsInstance(OperationType type) {
        return type == OperationType.PROVISION || type == OperationType.TERMINATE;
    }

    /** Undoes what a failed provision created, so that nothing is orphaned: runtime resources, DNS record. */
    private void compensate(Context c) {
        if (!OperationType.PROVISION.name().equals(c.op.type)) {
            return;
        }
        InstanceEntity i = instance(c);
        if (i.nodeId != null) {
            provider(i).terminate(i.id);
        }
        engine.dns.ifPresent(d -> d.delete(i.hostname));
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /**
     * Runs a step that works outside the database (runtime, DNS, mail, waiting). One write records it started,
     * together with the previous step's completion; its own completion is recorded with the next write. A crash
     * before that write runs the step again, which is safe because every step is idempotent.
     */
    private void step(Context c, String name, Runnable body) {
        if (c.done.contains(name)) {
            return;
        }
        engine.stepListener.beforeStep(c.op.id, name);
        c.op.step = name;
        engine.db.run(em -> recordProgress(em, c, c.done));
        body.run();
        c.done.add(name);
    }

    /**
     * Runs a step whose whole effect is in the database: {@code body} works in one transaction that also records
     * the step started and, when {@code body} returns true, done (with any completion not yet written). A crash
     * or a failure leaves none of it, so the step happens exactly once. Work queued on {@link Context#afterCommit}
     * runs after the commit.
     */
    private void txStep(Context c, String name, Predicate<EntityManager> body) {
        if (c.done.contains(name)) {
            return;
        }
        engine.stepListener.beforeStep(c.op.id, name);
        c.op.step = name;
        boolean complete;
        try {
            complete = engine.db.inTransaction(em -> {
                Set<String> done = new LinkedHashSet<>(c.done);
                recordProgress(em, c, done); // first, so that what the body sets on the operation (its end) wins
                boolean ok = body.test(em);
                if (ok) {
                    done.add(name);
                    em.find(OperationEntity.class, c.op.id).completedSteps = String.join(",", done);
                }
                return ok;
            });
        } catch (RuntimeException e) {
            c.afterCommit.clear(); // rolled back: what it would have announced did not happen
            throw e;
        }
        if (complete) {
            c.done.add(name);
        }
        c.runAfterCommit();
    }

    /** Records, in the caller's transaction, the step the operation is at and the steps it has done. */
    private void recordProgress(EntityManager em, Context c, Set<String> done) {
        OperationEntity o = em.find(OperationEntity.class, c.op.id);
        o.step = c.op.step;
        o.completedSteps = String.join(",", done);
        o.updatedAt = engine.clock.instant();
    }

    private InstanceEntity instance(Context c) {
        return engine.db.read(em -> em.find(InstanceEntity.class, c.op.instanceId));
    }

    private RuntimeProvider provider(InstanceEntity i) {
        if (i.nodeId == null) {
            throw new BerthException("instance " + i.id + " is not placed on a node", false);
        }
        NodeEntity n = engine.db.read(em -> em.find(NodeEntity.class, i.nodeId));
        return engine.providerFor(n);
    }

    private Plan plan(String planId) {
        return PlanService.toPlan(engine.db.read(em -> em.find(PlanEntity.class, planId)));
    }

    private ProvisionRequest request(InstanceEntity i, String version) {
        return engine.provisionRequest(i, version);
    }

    static List<InstanceSecrets.Spec> secretSpecs(AppTemplate app) {
        return app.secrets().stream()
                .map(s -> new InstanceSecrets.Spec(s.name(), s.length(), SecretAlphabet.valueOf(s.alphabet().name())))
                .toList();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting");
        }
    }

    /** Per-run state of one operation. */
    private static final class Context {
        final OperationEntity op;
        final Set<String> done;
        final List<Runnable> afterCommit = new ArrayList<>();
        boolean queued;
        /** What this attempt's last runtime call observed (null: no such call in this attempt). */
        RuntimeState observed;

        Context(OperationEntity op, Set<String> done) {
            this.op = op;
            this.done = done;
        }

        void runAfterCommit() {
            afterCommit.forEach(Runnable::run);
            afterCommit.clear();
        }
    }
}
