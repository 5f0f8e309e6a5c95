package dev.berth.core.lifecycle;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeService;
import dev.berth.core.placement.NodeCandidate;
import dev.berth.core.placement.NodeLoad;
import dev.berth.core.plan.Isolation;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.NodeEntity;
import dev.berth.core.store.PlanEntity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Capacity accounting: what the instances placed on a node take, from their plans. An instance counts on the node
 * it runs on and, while it migrates, also on its destination (the reservation that keeps the move's room).
 * Failed and terminated instances hold nothing.
 */
final class Allocation {

    private static final String LIVE = "i.state not in ('TERMINATED', 'FAILED')";

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

    /**
     * Every node whose provider kind is configured, in id order, with its load, in two queries. With
     * {@code lock}, the node rows are locked (SELECT … FOR UPDATE, in id order so that concurrent placements
     * cannot deadlock) until the transaction ends: two placements racing for the last slot serialise here, and
     * the second one sees the first one's instance.
     */
    static List<NodeLoad> fleet(EntityManager em, Set<String> providerKinds, boolean lock) {
        var query = em.createQuery("select n from NodeEntity n order by n.id", NodeEntity.class);
        if (lock) query.setLockMode(LockModeType.PESSIMISTIC_WRITE);
        Map<String, Node> nodes = new LinkedHashMap<>();
        for (NodeEntity n : query.getResultList()) {
            if (providerKinds.contains(n.providerKind)) nodes.put(n.id, NodeService.toNode(n));
        }
        Map<String, long[]> used = new HashMap<>();        // node → cpu, memory, disk, instances
        Map<String, Map<String, Integer>> tenants = new HashMap<>();
        Map<String, Capacity> demandByPlan = new HashMap<>(); // many instances share few plans
        List<Object[]> rows = em.createQuery("select i.nodeId, i.targetNodeId, i.planId, i.tenantId from InstanceEntity i"
                + " where (i.nodeId is not null or i.targetNodeId is not null) and " + LIVE, Object[].class).getResultList();
        for (Object[] row : rows) {
            Capacity d = demandByPlan.computeIfAbsent((String) row[2], id -> demand(PlanService.toPlan(em.find(PlanEntity.class, id))));
            for (int k = 0; k < 2; k++) {
                String nodeId = (String) row[k];
                if (nodeId == null || (k == 1 && nodeId.equals(row[0]))) continue;
                long[] u = used.computeIfAbsent(nodeId, x -> new long[4]);
                u[0] += d.cpuMillis();
                u[1] += d.memoryBytes();
                u[2] += d.diskBytes();
                u[3]++;
                tenants.computeIfAbsent(nodeId, x -> new HashMap<>()).merge((String) row[3], 1, Integer::sum);
            }
        }
        List<NodeLoad> fleet = new ArrayList<>(nodes.size());
        for (Node node : nodes.values()) {
            long[] u = used.getOrDefault(node.id(), new long[4]);
            fleet.add(new NodeLoad(node, new Capacity(u[0], u[1], u[2]), (int) u[3], tenants.getOrDefault(node.id(), Map.of())));
        }
        return fleet;
    }

    /** The fleet as one tenant's placement sees it. */
    static List<NodeCandidate> candidates(List<NodeLoad> fleet, String tenantId) {
        List<NodeCandidate> out = new ArrayList<>(fleet.size());
        for (NodeLoad n : fleet) out.add(n.candidate(tenantId));
        return out;
    }

    /** One node with its load, for checks on a single node (a plan change). */
    static NodeCandidate candidate(EntityManager em, Node node, String tenantId) {
        return load(em, node).candidate(tenantId);
    }

    /**
     * One node with its load and tenant counts, read now in one query (instances joined with their plans). Under
     * the node's row lock this is exact until the transaction ends: every placement or reservation on the node
     * takes that lock first.
     */
    static NodeLoad load(EntityManager em, Node node) {
        List<Object[]> rows = em.createQuery("select i.tenantId, p from InstanceEntity i, PlanEntity p where p.id = i.planId"
                + " and (i.nodeId = :n or i.targetNodeId = :n) and " + LIVE, Object[].class)
                .setParameter("n", node.id()).getResultList();
        Capacity used = Capacity.ZERO;
        Map<String, Integer> tenants = new HashMap<>();
        Map<String, Capacity> demandByPlan = new HashMap<>();
        for (Object[] row : rows) {
            PlanEntity p = (PlanEntity) row[1];
            used = used.plus(demandByPlan.computeIfAbsent(p.id, id -> demand(PlanService.toPlan(p))));
            tenants.merge((String) row[0], 1, Integer::sum);
        }
        return new NodeLoad(node, used, rows.size(), tenants);
    }

    /**
     * Locks one node row (SELECT … FOR UPDATE) and returns it as it is now, or null when it is gone or, with
     * {@code skipLocked}, when another transaction holds it. The row stays locked until the transaction (or the
     * savepoint it was taken in) ends.
     *
     * @param inContext  whether this transaction has read the node rows already (they are then managed, and are
     *                   refreshed under the lock rather than trusted; always waits)
     * @param skipLocked do not wait for a row another transaction holds (SKIP LOCKED)
     */
    static Node lock(EntityManager em, String nodeId, boolean inContext, boolean skipLocked) {
        NodeEntity n;
        if (inContext) {
            n = em.find(NodeEntity.class, nodeId);
            if (n != null) em.refresh(n, LockModeType.PESSIMISTIC_WRITE);
        } else {
            n = em.find(NodeEntity.class, nodeId, LockModeType.PESSIMISTIC_WRITE,
                    skipLocked ? Map.of(LOCK_TIMEOUT, SKIP_LOCKED) : Map.of());
        }
        return n == null ? null : NodeService.toNode(n);
    }

    private static final String LOCK_TIMEOUT = "jakarta.persistence.lock.timeout";
    /** Hibernate's lock timeout meaning SKIP LOCKED. */
    private static final int SKIP_LOCKED = -2;
}
