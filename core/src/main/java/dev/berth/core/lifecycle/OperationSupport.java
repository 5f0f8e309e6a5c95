package dev.berth.core.lifecycle;

import dev.berth.core.catalog.AppTemplate;
import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.secret.InstanceSecrets;
import dev.berth.core.secret.SecretAlphabet;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.NodeEntity;
import dev.berth.core.store.OperationEntity;
import dev.berth.core.store.PlanEntity;
import dev.berth.spi.BackupSupport;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.UnsupportedCapabilityException;
import dev.berth.spi.notify.Notification;
import jakarta.persistence.EntityManager;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the recipes share: reading the instance, its runtime and plan, waiting for readiness, taking a backup, and
 * ending an operation successfully. Holds no per-run state; that is in {@link OperationRun}.
 */
final class OperationSupport {

    final Engine engine;
    final Placement placement;
    final Notifications notifications;
    /** Tells the queue that capacity was freed, so queued instances are looked at again. */
    final Runnable capacityFreed;
    /** Hands an operation (a message) to the workers. */
    final Consumer<String> submit;
    final Bootstrapper bootstrapper;

    OperationSupport(Engine engine, Placement placement, Notifications notifications, Runnable capacityFreed,
                     Consumer<String> submit) {
        this.engine = engine;
        this.placement = placement;
        this.notifications = notifications;
        this.capacityFreed = capacityFreed;
        this.submit = submit;
        this.bootstrapper = new Bootstrapper(engine, this::provider);
    }

    InstanceEntity instance(OperationRun run) {
        return engine.db.read(em -> em.find(InstanceEntity.class, run.op.instanceId));
    }

    RuntimeProvider provider(InstanceEntity i) {
        if (i.nodeId == null) {
            throw new BerthException("instance " + i.id + " is not placed on a node", false);
        }
        NodeEntity n = engine.db.read(em -> em.find(NodeEntity.class, i.nodeId));
        return engine.providerFor(n);
    }

    Plan plan(String planId) {
        return PlanService.toPlan(engine.db.read(em -> em.find(PlanEntity.class, planId)));
    }

    /**
     * One look, for READY, at whether the runtime reports the instance running. The runtime call of this attempt's
     * previous step returns what it observed: when that was RUNNING there is nothing to ask (a resumed attempt,
     * which did not make that call, asks the runtime). Not running yet: {@link StepResult.Waiting}, to look again
     * later, until {@link EngineSettings#readinessTimeout()} has passed since the step first started
     * ({@code waitingSince}); then a non-retryable failure naming the last state seen.
     */
    StepResult checkRunning(OperationRun run, Instant waitingSince) {
        if (run.observed == RuntimeState.RUNNING) {
            return StepResult.DONE;
        }
        InstanceEntity i = instance(run);
        RuntimeState state = provider(i).status(i.id).state();
        if (state == RuntimeState.RUNNING) {
            return StepResult.DONE;
        }
        Duration timeout = engine.settings.readinessTimeout();
        Duration waited = Duration.between(waitingSince, engine.clock.instant());
        if (waited.compareTo(timeout) >= 0) {
            throw new BerthException("instance " + i.id + " not running after " + timeout + " (last observed " + state + ")", false);
        }
        Duration next = engine.settings.recheckAfter(waited);
        Duration left = timeout.minus(waited);
        // the last look falls on the deadline, so a timeout is reported when it happens, not up to a cap later
        return new StepResult.Waiting(next.compareTo(left) > 0 ? left : next, "instance " + i.id + " " + state);
    }

    /** Takes a backup with the id {@code backupId} and announces it. */
    void takeBackup(InstanceEntity i, BackupSupport support, String backupId) {
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
    StepResult finish(EntityManager em, OperationRun run, InstanceState state, Consumer<InstanceEntity> change,
                      BerthEvent.Type event) {
        return finish(em, run, state, change, event, null, Map.of());
    }

    /** Same, and records the message {@code notify} (null: none) in the same transaction. */
    StepResult finish(EntityManager em, OperationRun run, InstanceState state, Consumer<InstanceEntity> change,
                      BerthEvent.Type event, Notification.Type notify, Map<String, String> values) {
        InstanceEntity i = em.find(InstanceEntity.class, run.op.instanceId);
        if (state != null && !state.name().equals(i.state)) {
            Transitions.check(i, state, run.op.type);
            i.state = state.name();
        }
        change.accept(i);
        i.stateReason = null;
        i.activeOperation = null;
        i.updatedAt = engine.clock.instant();
        end(em, run.op.id, OperationStatus.SUCCEEDED, null);
        String message = notify == null ? null : notifications.enqueue(em, i, notify, run.op.id, values);
        run.afterCommit.add(() -> {
            // the event first: a caller waiting for it need not wait for the message to be scheduled as well
            if (event != null) {
                engine.publish(event, i, null);
            }
            if (message != null) {
                submit.accept(message);
            }
        });
        return StepResult.DONE;
    }

    /** Marks an operation ended with {@code status}; a null {@code error} keeps the last error recorded. */
    OperationEntity end(EntityManager em, String operationId, OperationStatus status, String error) {
        OperationEntity o = em.find(OperationEntity.class, operationId);
        o.status = status.name();
        if (error != null) o.lastError = error;
        o.finishedAt = engine.clock.instant();
        o.updatedAt = o.finishedAt;
        return o;
    }

    static List<InstanceSecrets.Spec> secretSpecs(AppTemplate app) {
        return app.secrets().stream()
                .map(s -> s.derived() ? InstanceSecrets.Spec.bcryptOf(s.name(), s.derivedFrom().secret())
                        : new InstanceSecrets.Spec(s.name(), s.length(), SecretAlphabet.valueOf(s.alphabet().name())))
                .toList();
    }
}
