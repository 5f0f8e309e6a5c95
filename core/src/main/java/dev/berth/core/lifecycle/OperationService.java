package dev.berth.core.lifecycle;

import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.store.OperationEntity;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.IllegalTransitionException;
import dev.berth.spi.error.NotFoundException;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Reads operations and cancels stuck ones. Obtained from {@code Berth.operations()}. */
public final class OperationService {

    private final Engine engine;
    private final Consumer<String> runNow;

    OperationService(Engine engine, Consumer<String> runNow) {
        this.engine = engine;
        this.runNow = runNow;
    }

    /**
     * Cancels an operation that is stuck (a runtime that never answers, an app that never gets ready): it fails for
     * good at its next execution, which is made due at once, and is compensated like any permanent failure (a
     * provision's runtime resources and DNS record are removed, the instance becomes FAILED). A step running at
     * this moment finishes first; a waiting one (READY) is cancelled at its next look. Idempotent: cancelling
     * again changes nothing.
     *
     * @return the operation as it is now (still IN_PROGRESS until its next execution)
     * @throws NotFoundException    if there is no such operation
     * @throws ConflictException    (not retryable) if the operation has already ended
     */
    public Operation cancel(String operationId) {
        engine.db.run(em -> {
            OperationEntity e = em.find(OperationEntity.class, operationId);
            if (e == null) throw new NotFoundException("operation", operationId);
            if (!OperationStatus.IN_PROGRESS.name().equals(e.status)) {
                throw new IllegalTransitionException("operation " + operationId, e.status, "cancel");
            }
            if (e.cancelRequestedAt == null) {
                e.cancelRequestedAt = engine.clock.instant();
                e.updatedAt = e.cancelRequestedAt;
            }
        });
        runNow.accept(operationId);
        return get(operationId);
    }

    /** @throws NotFoundException if there is no such operation */
    public Operation get(String operationId) {
        Operation op = engine.db.read(em -> {
            OperationEntity e = em.find(OperationEntity.class, operationId);
            return e == null ? null : Engine.toOperation(e, engine.journal.completed(em, operationId));
        });
        if (op == null) throw new NotFoundException("operation", operationId);
        return op;
    }

    /**
     * An instance's operations, oldest first: its history, including the NOTIFY operations of its messages (a
     * message is listed after the operation that caused it when both carry the same time).
     */
    public List<Operation> forInstance(String instanceId) {
        return engine.db.read(em -> {
            List<OperationEntity> ops = em.createQuery("select o from OperationEntity o where o.instanceId = :i"
                            + " order by o.createdAt, case when o.type = 'NOTIFY' then 1 else 0 end, o.id", OperationEntity.class)
                    .setParameter("i", instanceId).getResultList();
            // the journal of all of them in one query, not one per operation
            Map<String, List<String>> steps = engine.journal.completed(em, ops.stream().map(o -> o.id).toList());
            return ops.stream().map(o -> Engine.toOperation(o, steps.get(o.id))).toList();
        });
    }
}
