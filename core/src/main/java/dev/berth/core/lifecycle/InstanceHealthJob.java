package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.NodeEntity;
import dev.berth.spi.RuntimeState;

import java.util.ArrayList;
import java.util.List;

/** Asks the runtimes whether idle ACTIVE instances run, and raises an event for those that do not. */
final class InstanceHealthJob {

    private final Engine engine;

    InstanceHealthJob(Engine engine) {
        this.engine = engine;
    }

    /**
     * Asks each runtime for the status of every ACTIVE instance and raises
     * {@link BerthEvent.Type#HEALTH_CHECK_FAILED} for those not running.
     *
     * @return ids of unhealthy instances
     */
    List<String> run() {
        List<String> unhealthy = new ArrayList<>();
        List<InstanceEntity> active = engine.db.read(em -> em.createQuery(
                "select i from InstanceEntity i where i.state = 'ACTIVE' and i.activeOperation is null", InstanceEntity.class).getResultList());
        for (InstanceEntity i : active) {
            NodeEntity n = engine.db.read(em -> em.find(NodeEntity.class, i.nodeId));
            String problem;
            try {
                RuntimeState s = engine.providerFor(n).status(i.id).state();
                problem = s == RuntimeState.RUNNING ? null : "runtime reports " + s;
            } catch (RuntimeException e) {
                problem = e.getMessage();
            }
            if (problem != null) {
                unhealthy.add(i.id);
                engine.publish(BerthEvent.Type.HEALTH_CHECK_FAILED, i, problem);
            }
        }
        return unhealthy;
    }
}
