package dev.berth.core.lifecycle;

import dev.berth.core.error.InvalidSpecException;
import dev.berth.core.node.NodeService;
import dev.berth.core.placement.CapacityCheck;
import dev.berth.core.placement.NodeCandidate;
import dev.berth.core.placement.PlacementRequest;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.NodeEntity;
import dev.berth.core.store.PlanEntity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * "Can plan X be placed now, where, and how many more of it fit?" — what a portal asks before checkout. The
 * answer runs the same strategy and the same accounting as a real placement. Obtained from
 * {@code Berth.capacity()}.
 */
public final class CapacityService {

    private final Engine engine;

    CapacityService(Engine engine) {
        this.engine = engine;
    }

    /**
     * @param planId   the plan to check
     * @param tenantId the tenant who would buy it (for anti-affinity), or null
     * @throws InvalidSpecException naming {@code planId} when the plan does not exist
     */
    public CapacityCheck.Answer check(String planId, String tenantId) {
        return engine.db.read(em -> {
            PlanEntity p = em.find(PlanEntity.class, planId);
            if (p == null) throw new InvalidSpecException("planId", "unknown plan '" + planId + "'");
            Plan plan = PlanService.toPlan(p);
            List<NodeCandidate> candidates = new ArrayList<>();
            for (NodeEntity n : em.createQuery("select n from NodeEntity n order by n.id", NodeEntity.class).getResultList()) {
                if (engine.providers.containsKey(n.providerKind)) {
                    candidates.add(Allocation.candidate(em, NodeService.toNode(n), tenantId == null ? "" : tenantId));
                }
            }
            var request = new PlacementRequest("capacity-check", tenantId, null, Allocation.demand(plan), plan.isolation(), Map.of());
            return CapacityCheck.check(engine.placement, request, candidates);
        });
    }

    /**
     * What a node holds now, with the same accounting placement uses: its allocated resources and live instance
     * count (tenant count is zero).
     *
     * @throws dev.berth.core.error.NotFoundException if there is no such node
     */
    public NodeCandidate usage(String nodeId) {
        return engine.db.read(em -> {
            NodeEntity n = em.find(NodeEntity.class, nodeId);
            if (n == null) throw new dev.berth.core.error.NotFoundException("node", nodeId);
            return Allocation.candidate(em, NodeService.toNode(n), "");
        });
    }
}
