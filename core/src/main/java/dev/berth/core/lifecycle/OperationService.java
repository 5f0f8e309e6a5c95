package dev.berth.core.lifecycle;

import dev.berth.core.operation.Operation;
import dev.berth.core.store.OperationEntity;
import dev.berth.spi.error.NotFoundException;

import java.util.List;
import java.util.Map;

/** Reads operations. Obtained from {@code Berth.operations()}. */
public final class OperationService {

    private final Engine engine;

    OperationService(Engine engine) {
        this.engine = engine;
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
