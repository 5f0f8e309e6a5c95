package dev.berth.core.lifecycle;

import dev.berth.core.instance.InstanceState;
import dev.berth.core.node.NodeService;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.placement.CapacityCheck;
import dev.berth.core.placement.MigrationPlanner;
import dev.berth.core.placement.NodeCandidate;
import dev.berth.core.placement.PlacementRequest;
import dev.berth.core.placement.PlacementStats;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.NodeEntity;
import dev.berth.core.store.OperationEntity;
import dev.berth.core.store.PlanEntity;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Capacity questions and node evacuation. Obtained from {@code Berth.capacity()}.
 *
 * <ul>
 *   <li>{@link #check}: "can plan X be placed now, where, and how many more of it fit?" — what a portal asks
 *       before checkout. It runs the plan's strategy over the same accounting as a real placement.</li>
 *   <li>{@link #migrationPlan}: where the instances of a draining or failed node would go.</li>
 *   <li>{@link #evacuate}: drains the node and starts the migrations of that plan, all or nothing.</li>
 * </ul>
 */
public final class CapacityService {

    private final Engine engine;
    private final Placement placement;
    private final InstanceService instances;
    private final Consumer<String> submit;

    CapacityService(Engine engine, Placement placement, InstanceService instances, Consumer<String> submit) {
        this.engine = engine;
        this.placement = placement;
        this.instances = instances;
        this.submit = submit;
    }

    /**
     * @param planId   the plan to check
     * @param tenantId the tenant who would buy it (for anti-affinity), or null
     * @throws InvalidSpecException naming {@code planId} when the plan does not exist
     */
    public CapacityCheck.Answer check(String planId, String tenantId) {
        return check(planId, tenantId, Map.of());
    }

    /**
     * As {@link #check(String, String)} for a tenant asking for node labels ("region" → "eu"), as a provision
     * with those {@code requiredLabels} would be placed.
     */
    public CapacityCheck.Answer check(String planId, String tenantId, Map<String, String> requiredLabels) {
        return engine.db.read(em -> {
            PlanEntity p = em.find(PlanEntity.class, planId);
            if (p == null) throw new InvalidSpecException("planId", "unknown plan '" + planId + "'");
            Plan plan = PlanService.toPlan(p);
            var fleet = Allocation.fleet(em, engine.providers.keySet(), false);
            var request = new PlacementRequest("capacity-check", tenantId, null, Allocation.demand(plan), plan.isolation(),
                    requiredLabels);
            return CapacityCheck.check(placement.strategyFor(plan), request, Allocation.candidates(fleet, tenantId));
        });
    }

    /**
     * What a node holds now, with the same accounting placement uses: its allocated resources and live instance
     * count (tenant count is zero).
     *
     * @throws dev.berth.spi.error.NotFoundException if there is no such node
     */
    public NodeCandidate usage(String nodeId) {
        return engine.db.read(em -> {
            NodeEntity n = em.find(NodeEntity.class, nodeId);
            if (n == null) throw new dev.berth.spi.error.NotFoundException("node", nodeId);
            return Allocation.candidate(em, NodeService.toNode(n), "");
        });
    }

    /**
     * How this process's placements went since it started: placed, queued, conflicts (a node chosen from the
     * snapshot that no longer had room once locked) and full reads of the fleet.
     */
    public PlacementStats placementStats() {
        return placement.stats();
    }

    /**
     * Where each live instance of the node would go if it were emptied now, with the reasons for those that fit
     * nowhere. Every planned move takes its room on its destination before the next is planned. Changes nothing.
     *
     * @throws NotFoundException if there is no such node
     */
    public MigrationPlanner.Plan migrationPlan(String nodeId) {
        return engine.db.read(em -> {
            if (em.find(NodeEntity.class, nodeId) == null) throw new NotFoundException("node", nodeId);
            return placement.migrationPlan(em, nodeId, false);
        });
    }

    /**
     * Drains the node and starts one MIGRATE operation per instance along its migration plan (the provider's
     * migrate capability moves the data). All or nothing: when an instance fits nowhere, or has another operation
     * in flight, nothing is started and nothing changes. Once the migrations finished the node is empty and
     * {@code Berth.nodes().deregister(id)} removes it.
     *
     * @return the plan that was started
     * @throws ConflictException listing the instances that cannot move and why
     */
    public MigrationPlanner.Plan evacuate(String nodeId) {
        List<String> ops = new ArrayList<>();
        MigrationPlanner.Plan plan = engine.db.inTransaction(em -> {
            NodeEntity node = em.find(NodeEntity.class, nodeId);
            if (node == null) throw new NotFoundException("node", nodeId);
            MigrationPlanner.Plan p = placement.migrationPlan(em, nodeId, true);
            if (!p.complete()) {
                throw new ConflictException("node " + nodeId + " cannot be evacuated, no room for: " + p.unplaceable());
            }
            if (!NodeStatus.OFFLINE.name().equals(node.status)) {
                node.status = NodeStatus.DRAINING.name();
                node.statusReason = "evacuating";
            }
            for (MigrationPlanner.Move m : p.moves()) {
                OperationEntity op = instances.accept(em, m.instanceId(),
                        new OperationParams.Migrate(m.targetNodeId()), InstanceState.ACTIVE, InstanceState.SUSPENDED);
                em.find(InstanceEntity.class, m.instanceId()).targetNodeId = m.targetNodeId();
                ops.add(op.id);
            }
            return p;
        });
        ops.forEach(submit);
        return plan;
    }
}
