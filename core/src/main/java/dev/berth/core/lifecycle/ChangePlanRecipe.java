package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.node.NodeService;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.NodeEntity;
import dev.berth.core.store.PlanEntity;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.error.InsufficientCapacityException;
import dev.berth.spi.error.UnavailableException;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;

/** CHANGE_PLAN: check the node has room, apply the new limits on the runtime, record the plan. */
final class ChangePlanRecipe implements Recipe {

    private final OperationSupport s;

    ChangePlanRecipe(OperationSupport s) {
        this.s = s;
    }

    @Override
    public StepResult run(OperationRun run) {
        String planId = run.params(OperationParams.ChangePlan.class).planId();
        run.txStep(Step.CAPACITY, em -> checkRoomForPlan(em, run.op.instanceId, planId));
        run.step(Step.RUNTIME, () -> {
            Plan plan = s.plan(planId);
            InstanceStatus st = s.provider(s.instance(run)).changePlan(run.op.instanceId, plan.resources());
            if (st.appliedLimits() != null && !st.appliedLimits().equals(plan.resources())) {
                throw new UnavailableException("runtime reports limits " + st.appliedLimits() + " after applying " + plan.resources());
            }
        });
        return run.txStep(Step.FINALIZE, em -> s.finish(em, run, null, i -> i.planId = planId, BerthEvent.Type.PLAN_CHANGED));
    }

    private static StepResult checkRoomForPlan(EntityManager em, String instanceId, String planId) {
        InstanceEntity i = em.find(InstanceEntity.class, instanceId);
        NodeEntity n = em.find(NodeEntity.class, i.nodeId, LockModeType.PESSIMISTIC_WRITE);
        Plan current = PlanService.toPlan(em.find(PlanEntity.class, i.planId));
        Plan target = PlanService.toPlan(em.find(PlanEntity.class, planId));
        var candidate = Allocation.candidate(em, NodeService.toNode(n), i.tenantId);
        // the instance's current allocation is freed by the change, so compare against free + current
        var free = candidate.free().plus(Allocation.demand(current));
        var need = Allocation.demand(target);
        if (need.cpuMillis() > free.cpuMillis() || need.memoryBytes() > free.memoryBytes() || need.diskBytes() > free.diskBytes()) {
            throw new InsufficientCapacityException(
                    "node " + n.id + " has no room for plan " + planId + " (free " + free + ", needs " + need + ")");
        }
        return StepResult.DONE;
    }
}
