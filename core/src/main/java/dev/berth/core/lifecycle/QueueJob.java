package dev.berth.core.lifecycle;

import dev.berth.core.instance.InstanceState;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.OperationEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Places queued instances, oldest first, once capacity has appeared. */
final class QueueJob {

    private static final Logger log = LoggerFactory.getLogger(QueueJob.class);

    private final Engine engine;
    private final Placement placement;
    private final Consumer<String> submit;

    QueueJob(Engine engine, Placement placement, Consumer<String> submit) {
        this.engine = engine;
        this.placement = placement;
        this.submit = submit;
    }

    /**
     * Places queued instances, oldest first, when capacity has appeared (a node added or back online, an instance
     * terminated or moved away): each gets its placement decision in turn (one thread: an older instance
     * always chooses before a younger one); one that still fits nowhere stays queued without holding up
     * younger, smaller ones. Placed instances continue their provision on the workers.
     *
     * @return how many queued instances were placed
     */
    int run() {
        // this job runs when capacity appeared in this process (or on its schedule): whatever the snapshot says
        // about the fleet may be out of date, and every instance still queued after this run was refused by a
        // fleet read after it started
        long since = System.nanoTime();
        placement.invalidateSnapshot();
        List<String> queued = engine.db.read(em -> em.createQuery(
                "select i.id from InstanceEntity i where i.state = 'QUEUED' and i.activeOperation is not null order by i.createdAt, i.id",
                String.class).getResultList());
        int placed = 0;
        for (String id : queued) {
            try {
                List<Runnable> afterCommit = new ArrayList<>();
                String op = engine.db.inTransaction(em -> {
                    InstanceEntity i = em.find(InstanceEntity.class, id);
                    if (!InstanceState.QUEUED.name().equals(i.state) || i.activeOperation == null) return null;
                    OperationEntity o = em.find(OperationEntity.class, i.activeOperation);
                    return placement.place(em, i, o, afterCommit, since).nodeId() != null ? o.id : null;
                });
                afterCommit.forEach(Runnable::run);
                if (op != null) {
                    submit.accept(op);
                    placed++;
                }
            } catch (RuntimeException e) {
                // a concurrent change to the instance (cancelled, placed by a worker): the next run looks again
                log.info("placing queued instance {} deferred: {}", id, e.getMessage());
            }
        }
        return placed;
    }
}
