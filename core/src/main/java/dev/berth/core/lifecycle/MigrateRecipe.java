package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.store.NodeEntity;
import dev.berth.spi.NodeRef;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnsupportedCapabilityException;

/**
 * MIGRATE: moves the instance to its target node with the provider's migrate capability. The destination's room
 * was reserved when the command was accepted (the instance's target node counts on that node's allocation), so
 * nothing else can take it while the data moves.
 */
final class MigrateRecipe implements Recipe {

    private final OperationSupport s;

    MigrateRecipe(OperationSupport s) {
        this.s = s;
    }

    @Override
    public StepResult run(OperationRun run) {
        run.step(Step.RUNTIME, () -> {
            var i = s.instance(run);
            NodeEntity target = s.engine.db.read(em -> em.find(NodeEntity.class, i.targetNodeId));
            if (target == null) throw new NotFoundException("node", i.targetNodeId);
            NodeEntity source = s.engine.db.read(em -> em.find(NodeEntity.class, i.nodeId));
            if (!source.providerKind.equals(target.providerKind)) {
                throw new UnsupportedCapabilityException("cannot migrate between providers " + source.providerKind
                        + " and " + target.providerKind);
            }
            RuntimeProvider p = s.engine.providerFor(source);
            p.migration().orElseThrow(() -> new UnsupportedCapabilityException("provider " + p.kind() + " cannot migrate instances"))
                    .migrate(i.id, new NodeRef(target.id, target.target, target.labels));
        });
        StepResult result = run.txStep(Step.FINALIZE, em -> s.finish(em, run, null, i -> {
            i.nodeId = i.targetNodeId;
            i.targetNodeId = null;
        }, BerthEvent.Type.INSTANCE_MIGRATED));
        s.capacityFreed.run();
        return result;
    }
}
