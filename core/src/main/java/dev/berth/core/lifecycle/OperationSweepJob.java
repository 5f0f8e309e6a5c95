package dev.berth.core.lifecycle;

import dev.berth.core.operation.OperationStatus;

import java.util.List;
import java.util.function.Consumer;

/** Schedules operations left IN_PROGRESS without an execution (a crash between commit and scheduling). */
final class OperationSweepJob {

    private final Engine engine;
    private final Consumer<String> submit;

    OperationSweepJob(Engine engine, Consumer<String> submit) {
        this.engine = engine;
        this.submit = submit;
    }

    /**
     * Schedules every operation still IN_PROGRESS that has no execution (a crash between committing the command
     * and scheduling it). Cheap and idempotent.
     *
     * @return how many operations were (re)submitted
     */
    int run() {
        List<String> ops = engine.db.read(em -> em.createQuery(
                "select o.id from OperationEntity o, InstanceEntity i where o.instanceId = i.id and o.status = :s and i.state <> 'QUEUED'",
                String.class).setParameter("s", OperationStatus.IN_PROGRESS.name()).getResultList());
        ops.forEach(submit);
        return ops.size();
    }
}
