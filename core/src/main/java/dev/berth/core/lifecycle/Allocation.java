package dev.berth.core.lifecycle;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.placement.NodeCandidate;
import dev.berth.core.plan.Isolation;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.PlanEntity;
import jakarta.persistence.EntityManager;

import java.util.List;

/** Capacity accounting: what the instances placed on a node take, from their plans. */
final class Allocation {

    private Allocation() {
    }

    /**
     * What an instance on {@code plan} takes from its node: requests for shared (burstable) plans, since the
     * node's overcommit covers their bursts; limits for dedicated ones, which must always fit.
     */
    static Capacity demand(Plan plan) {
        var r = plan.resources();
        return plan.isolation() == Isolation.DEDICATED
                ? new Capacity(r.cpuLimitMillis(), r.memoryLimitBytes(), r.diskBytes())
                : new Capacity(r.cpuRequestMillis(), r.memoryRequestBytes(), r.diskBytes());
    }

    /** The node with the sum of its live instances' demands. Failed and terminated instances hold nothing. */
    static NodeCandidate candidate(EntityManager em, Node node, String tenantId) {
        List<InstanceEntity> placed = em.createQuery(
                        "select i from InstanceEntity i where i.nodeId = :n and i.state not in ('TERMINATED', 'FAILED')", InstanceEntity.class)
                .setParameter("n", node.id()).getResultList();
        Capacity used = Capacity.ZERO;
        int tenantCount = 0;
        // many instances share few plans: map each plan once rather than once per instance
        java.util.Map<String, Capacity> demandByPlan = new java.util.HashMap<>();
        for (InstanceEntity i : placed) {
            used = used.plus(demandByPlan.computeIfAbsent(i.planId,
                    id -> demand(PlanService.toPlan(em.find(PlanEntity.class, id)))));
            if (i.tenantId.equals(tenantId)) tenantCount++;
        }
        return new NodeCandidate(node, used, placed.size(), tenantCount);
    }
}
