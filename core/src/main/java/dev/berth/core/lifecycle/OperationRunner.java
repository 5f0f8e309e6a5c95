package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.lifecycle.journal.StepJournal;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.operation.OperationType;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.OperationEntity;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.notify.Notification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs one attempt at an operation: loads it and its journal, runs its {@link Recipe}, and turns the result into
 * what the queue does next. A failure is handled as {@link FailurePolicy} decides: retried with backoff, or
 * compensated and recorded FAILED. How steps are skipped and recorded is in {@link OperationRun}.
 */
final class OperationRunner {

    private static final Logger log = LoggerFactory.getLogger(OperationRunner.class);

    private final Engine engine;
    private final StepJournal journal;
    private final OperationSupport support;
    private final FailurePolicy policy;
    private final TenantWorkers tenantWorkers;

    OperationRunner(Engine engine, Placement placement, Runnable capacityFreed, Consumer<String> submit) {
        this.engine = engine;
        this.journal = engine.journal;
        this.support = new OperationSupport(engine, placement, new Notifications(engine), capacityFreed, submit);
        this.policy = new FailurePolicy(engine.settings, engine.notifications);
        this.tenantWorkers = new TenantWorkers(engine.settings.maxWorkersPerTenant());
    }

    /**
     * Runs an attempt unless the operation's tenant already holds its share of this process's workers; then the
     * operation is due again shortly, without having started an attempt, and the worker goes to another tenant.
     */
    OperationQueue.Outcome run(String operationId) {
        if (!tenantWorkers.limited()) {
            return attempt(operationId);
        }
        String tenantId = engine.db.read(em -> em.createQuery("select i.tenantId from OperationEntity o, InstanceEntity i"
                        + " where o.id = :o and i.id = o.instanceId and o.status = :s", String.class)
                .setParameter("o", operationId).setParameter("s", OperationStatus.IN_PROGRESS.name())
                .getResultStream().findFirst().orElse(null));
        if (tenantId == null) {
            return new OperationQueue.Outcome.Done();
        }
        if (!tenantWorkers.tryTake(tenantId)) {
            return new OperationQueue.Outcome.RetryAt(Instant.now().plus(engine.settings.recheckFirst()));
        }
        try {
            return attempt(operationId);
        } finally {
            tenantWorkers.giveBack(tenantId);
        }
    }

    private OperationQueue.Outcome attempt(String operationId) {
        OperationRun run = engine.db.inTransaction(em -> {
            OperationEntity o = em.find(OperationEntity.class, operationId);
            if (o == null || !OperationStatus.IN_PROGRESS.name().equals(o.status)) {
                return null;
            }
            o.attempts++;
            o.updatedAt = engine.clock.instant();
            return new OperationRun(engine, journal, o, journal.completed(em, operationId));
        });
        if (run == null) {
            return new OperationQueue.Outcome.Done();
        }
        if (run.op.cancelRequestedAt != null) {
            // an operator gave up on it: it fails for good now, compensated like any permanent failure
            return failed(run, new BerthException("cancelled by the operator at step " + run.op.step, false));
        }
        StepResult result;
        try {
            result = Recipe.of(OperationType.valueOf(run.op.type), support).run(run);
        } catch (RuntimeException e) {
            return failed(run, e);
        }
        if (result instanceof StepResult.Waiting waiting) {
            return lookAgain(run, waiting);
        }
        if (result instanceof StepResult.Queued) {
            // the queue job may have placed the instance while this execution was still finishing; its
            // resubmission was then a no-op (the execution still existed), so parking now would strand the
            // placed operation
            boolean placedMeanwhile = engine.db.read(em -> em.find(InstanceEntity.class, run.op.instanceId).nodeId != null);
            return placedMeanwhile ? new OperationQueue.Outcome.RetryAt(Instant.now()) : new OperationQueue.Outcome.Parked();
        }
        return new OperationQueue.Outcome.Done();
    }

    /**
     * A waiting step found the runtime not ready yet: the execution ends and the operation is due again after the
     * step's interval, so the worker is free meanwhile. A look is not an attempt: the one counted on entry (which
     * stands if the process dies during the look) is given back, and no error is recorded.
     */
    private OperationQueue.Outcome lookAgain(OperationRun run, StepResult.Waiting waiting) {
        engine.db.run(em -> em.find(OperationEntity.class, run.op.id).attempts--);
        log.debug("operation {} ({}) waits at step {} ({}), looking again in {}", run.op.id, run.op.type, run.op.step,
                waiting.observed(), waiting.lookAgainIn());
        return new OperationQueue.Outcome.RetryAt(Instant.now().plus(waiting.lookAgainIn()));
    }

    // ---- failure handling -------------------------------------------------------------------------------

    private OperationQueue.Outcome failed(OperationRun run, RuntimeException e) {
        OperationEntity op = run.op;
        OperationType type = OperationType.valueOf(op.type);
        String message = Engine.truncate(e.getClass().getSimpleName() + ": " + e.getMessage());
        if (policy.decide(type, op.attempts, e, Instant.now()) instanceof FailurePolicy.Decision.Retry retry) {
            log.info("operation {} ({}) attempt {} failed at step {}, retrying at {}: {}", op.id, op.type, op.attempts, op.step, retry.at(), message);
            recordError(run, message); // with the progress, so that the retry skips the steps this attempt finished
            return new OperationQueue.Outcome.RetryAt(retry.at());
        }
        log.warn("operation {} ({}) failed for good at step {}: {}", op.id, op.type, op.step, message);
        if (type == OperationType.NOTIFY) {
            return messageGivenUp(run, message);
        }
        try {
            FailurePolicy.compensate(run, support);
        } catch (RuntimeException ce) {
            // compensation is itself idempotent; if it cannot finish now, retry the whole failure path later
            log.warn("compensation of operation {} failed, retrying: {}", op.id, ce.getMessage());
            recordError(run, Engine.truncate(message + " (compensation pending: " + ce.getMessage() + ")"));
            return new OperationQueue.Outcome.RetryAt(policy.retryCompensationAt(op.attempts, Instant.now()));
        }
        String[] operatorMessage = new String[1];
        InstanceEntity after = engine.db.inTransaction(em -> {
            run.recordProgress(em);
            OperationEntity o = support.end(em, op.id, OperationStatus.FAILED, message);
            InstanceEntity i = em.find(InstanceEntity.class, op.instanceId);
            i.activeOperation = null;
            i.updatedAt = o.finishedAt;
            i.targetNodeId = null; // a failed migration releases its reservation on the destination
            if (FailurePolicy.failsInstance(type)) {
                i.state = InstanceState.FAILED.name();
                i.stateReason = Engine.truncate(op.type + " failed at step " + op.step + ": " + message);
                i.nodeId = null; // compensation released the runtime resources, so the placement is released too
            }
            // the operator hears of it in the same transaction that records the failure
            var notify = type == OperationType.BACKUP ? Notification.Type.BACKUP_FAILED : Notification.Type.OPERATION_FAILED;
            operatorMessage[0] = support.notifications.enqueue(em, i, notify, op.id,
                    // params share one 2000-character column: the message gets a shorter excerpt of the error
                    Map.of("operation", op.id, "operationType", op.type,
                            "error", message.length() <= 500 ? message : message.substring(0, 500) + "…"));
            return i;
        });
        run.progressRecorded();
        if (operatorMessage[0] != null) {
            support.submit.accept(operatorMessage[0]);
        }
        engine.publish(BerthEvent.Type.OPERATION_FAILED, after, op.type + " failed: " + message);
        if (FailurePolicy.freesCapacity(type)) {
            support.capacityFreed.run();
        }
        return new OperationQueue.Outcome.Done();
    }

    /** Records the attempt's error together with its progress. */
    private void recordError(OperationRun run, String message) {
        engine.db.run(em -> {
            em.find(OperationEntity.class, run.op.id).lastError = message;
            run.recordProgress(em);
        });
        run.progressRecorded();
    }

    /** A message that could not be sent in its whole retry budget: recorded FAILED; the instance is untouched. */
    private OperationQueue.Outcome messageGivenUp(OperationRun run, String message) {
        InstanceEntity i = engine.db.inTransaction(em -> {
            support.end(em, run.op.id, OperationStatus.FAILED, message);
            return em.find(InstanceEntity.class, run.op.instanceId);
        });
        var notify = run.params(OperationParams.Notify.class);
        engine.publish(BerthEvent.Type.OPERATION_FAILED, i, "NOTIFY " + notify.message() + " failed: " + message);
        return new OperationQueue.Outcome.Done();
    }
}
