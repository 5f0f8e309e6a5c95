package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.placement.MigrationPlanner;
import dev.berth.core.placement.NodeLoad;
import dev.berth.core.placement.PlacementDecision;
import dev.berth.core.placement.PlacementRequest;
import dev.berth.core.placement.PlacementStrategies;
import dev.berth.core.placement.PlacementStrategy;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.OperationEntity;
import dev.berth.core.store.PlanEntity;
import jakarta.persistence.EntityManager;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The engine's placement: which strategy a plan uses, the request an instance makes, and the one transaction
 * that decides and records a placement. Shared by the PLACE step, the queue and the capacity/migration answers,
 * so that all of them decide the same way.
 */
final class Placement {

    private final Engine engine;

    Placement(Engine engine) {
        this.engine = engine;
    }

    /**
     * The plan's strategy: the one it names, or the configured (global) one; with anti-affinity when the plan asks
     * for it. Anti-affinity is an option of the built-in strategies; a custom global strategy is used as it is.
     */
    PlacementStrategy strategyFor(Plan plan) {
        PlacementStrategy global = engine.placement;
        String name = plan.placementStrategy() == null ? global.name() : plan.placementStrategy();
        if (name.equals(global.name()) && !plan.antiAffinity()) {
            return global;
        }
        if (!PlacementStrategies.names().contains(name)) {
            return global;
        }
        return PlacementStrategies.byName(name, plan.antiAffinity());
    }

    PlacementRequest request(InstanceEntity i, Plan plan) {
        return new PlacementRequest(i.id, i.tenantId, null, Allocation.demand(plan), plan.isolation(),
                i.requiredLabels == null ? Map.of() : i.requiredLabels);
    }

    /**
     * Decides where {@code i} goes and records it, inside the caller's transaction, with every node row locked:
     * placed → the instance is PROVISIONING on its node; nothing fits → QUEUED with the reason per node (and the
     * {@link BerthEvent.Type#INSTANCE_QUEUED} event, after commit, the first time).
     *
     * @param afterCommit where to put work that must wait for the commit (the event)
     */
    PlacementDecision place(EntityManager em, InstanceEntity i, OperationEntity op, List<Runnable> afterCommit) {
        Plan plan = PlanService.toPlan(em.find(PlanEntity.class, i.planId));
        List<NodeLoad> fleet = Allocation.fleet(em, engine.providers.keySet(), true);
        // the instance row was read before the node locks were granted: re-read it, another worker may have
        // placed it meanwhile (the queue job and a resubmitted operation)
        em.refresh(i);
        if (i.nodeId != null) {
            return PlacementDecision.placed(i.nodeId);
        }
        PlacementDecision decision = strategyFor(plan).place(request(i, plan), Allocation.candidates(fleet, i.tenantId));
        var now = engine.clock.instant();
        if (decision.node().isPresent()) {
            i.nodeId = decision.nodeId();
            i.state = InstanceState.PROVISIONING.name();
            i.stateReason = null;
            i.updatedAt = now;
            // recorded on the provision: from here on a runtime resource may exist
            OperationEntity o = em.find(OperationEntity.class, op.id);
            o.params = new OperationParams.Provision(true).toMap();
            op.params = o.params;
        } else {
            boolean newlyQueued = !InstanceState.QUEUED.name().equals(i.state);
            i.state = InstanceState.QUEUED.name();
            i.stateReason = Engine.truncate("no node has room: " + MigrationPlanner.reasons(decision));
            i.updatedAt = now;
            if (newlyQueued) {
                String reason = i.stateReason;
                afterCommit.add(() -> engine.publish(BerthEvent.Type.INSTANCE_QUEUED, i, reason));
            }
        }
        return decision;
    }

    /**
     * Where the live instances of {@code nodeId} would go (see {@link MigrationPlanner}). With {@code lock}, the
     * node rows stay locked until the caller's transaction ends (to act on the plan).
     */
    MigrationPlanner.Plan migrationPlan(EntityManager em, String nodeId, boolean lock) {
        List<NodeLoad> fleet = Allocation.fleet(em, engine.providers.keySet(), lock);
        List<InstanceEntity> live = em.createQuery("select i from InstanceEntity i where i.nodeId = :n"
                        + " and i.targetNodeId is null and i.state not in ('TERMINATED', 'FAILED') order by i.createdAt, i.id", InstanceEntity.class)
                .setParameter("n", nodeId).getResultList();
        List<MigrationPlanner.Item> items = new ArrayList<>();
        for (InstanceEntity i : live) {
            Plan plan = PlanService.toPlan(em.find(PlanEntity.class, i.planId));
            items.add(new MigrationPlanner.Item(request(i, plan), strategyFor(plan)));
        }
        return MigrationPlanner.plan(nodeId, items, fleet);
    }
}
