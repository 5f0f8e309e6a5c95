package dev.berth.core.placement;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.plan.Isolation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base for strategies that filter then score, the way kube-scheduler does: every candidate first goes through
 * {@link NodeFilters} (the per-node reasons are collected for the decision when nothing fits), each survivor is
 * scored with {@link #score} (higher is better, 0..100), and the best one wins, ties broken by node id ascending so
 * equal inputs always give the same node.
 *
 * <p><b>Anti-affinity</b> (constructor option): when enabled, a node that already holds an instance of the request's
 * tenant ({@link NodeCandidate#tenantInstanceCount()} &gt; 0) ranks after every node that holds none, whatever its
 * score. It is a preference, not a filter: such a node is still chosen when no other node fits, because refusing to
 * place is worse than co-locating two instances of one tenant.
 *
 * <p><b>Hot path.</b> {@link #place} is the decision the benchmark measures (thousands of nodes per decision), so it
 * works on primitives: the filters run as {@link NodeFilters#accepts}, which allocates nothing, each subclass scores
 * through {@link #score(long, long, long, long, long, long, int)} on plain numbers, and the per-node rejection
 * messages are only built when no node fits (a placed decision carries none). The result is the same as filtering
 * with {@link NodeFilters#rejection} and scoring with {@link #score(PlacementRequest, NodeCandidate)}.
 */
public abstract class ScoringStrategy implements PlacementStrategy {

    private final boolean antiAffinity;

    /** @param antiAffinity rank nodes already holding the tenant last (see the class comment) */
    protected ScoringStrategy(boolean antiAffinity) {
        this.antiAffinity = antiAffinity;
    }

    /** Whether nodes already holding the tenant are ranked last. */
    public final boolean antiAffinity() {
        return antiAffinity;
    }

    /**
     * Scores a candidate that passed the filters: 0..100, higher is better. Pure function of its inputs: the
     * node's allocatable resources, what it would hold after the placement, and its current instance count.
     *
     * @param cpuAfter      CPU millis allocated once the request is placed there
     * @param memAfter      memory bytes allocated once placed
     * @param diskAfter     disk bytes allocated once placed
     * @param cpuAlloc      the node's allocatable CPU millis ({@link Node#allocatable()})
     * @param memAlloc      allocatable memory bytes
     * @param diskAlloc     allocatable disk bytes
     * @param instanceCount live instances on the node before the placement
     */
    protected abstract double score(long cpuAfter, long memAfter, long diskAfter,
                                    long cpuAlloc, long memAlloc, long diskAlloc, int instanceCount);

    /** Score of one candidate that passed the filters: 0..100, higher is better. */
    public final double score(PlacementRequest request, NodeCandidate candidate) {
        Capacity alloc = candidate.allocatable();
        Capacity after = candidate.allocated().plus(request.demand());
        return score(after.cpuMillis(), after.memoryBytes(), after.diskBytes(),
                alloc.cpuMillis(), alloc.memoryBytes(), alloc.diskBytes(), candidate.instanceCount());
    }

    @Override
    public final PlacementDecision place(PlacementRequest request, List<NodeCandidate> candidates) {
        Capacity demand = request.demand();
        long dCpu = demand.cpuMillis();
        long dMem = demand.memoryBytes();
        long dDisk = demand.diskBytes();
        String provider = request.providerKind();
        boolean dedicated = request.isolation() == Isolation.DEDICATED;
        Map<String, String> required = request.requiredLabels();

        NodeCandidate best = null;
        double bestScore = 0;
        boolean bestShared = false;
        for (int k = 0, size = candidates.size(); k < size; k++) {
            NodeCandidate c = candidates.get(k);
            Node node = c.node();
            if (!NodeFilters.eligible(node, provider, dedicated, required)) {
                continue;
            }
            Capacity alloc = c.allocatable();
            long aCpu = alloc.cpuMillis();
            long aMem = alloc.memoryBytes();
            long aDisk = alloc.diskBytes();
            Capacity used = c.allocated();
            long uCpu = used.cpuMillis();
            long uMem = used.memoryBytes();
            long uDisk = used.diskBytes();
            if (dCpu > Math.max(0, aCpu - uCpu) || dMem > Math.max(0, aMem - uMem) || dDisk > Math.max(0, aDisk - uDisk)) {
                continue;
            }
            double s = score(uCpu + dCpu, uMem + dMem, uDisk + dDisk, aCpu, aMem, aDisk, c.instanceCount());
            boolean shared = antiAffinity && c.tenantInstanceCount() > 0;
            if (best == null || better(shared, s, node.id(), bestShared, bestScore, best.node().id())) {
                best = c;
                bestScore = s;
                bestShared = shared;
            }
        }
        if (best != null) {
            return PlacementDecision.placed(best.node().id());
        }
        // nothing fits: only now is it worth building one message per node
        Map<String, String> rejections = new LinkedHashMap<>();
        for (NodeCandidate c : candidates) {
            NodeFilters.rejection(request, c).ifPresent(why -> rejections.put(c.node().id(), why));
        }
        if (candidates.isEmpty()) {
            rejections.put("*", "no nodes registered");
        }
        return PlacementDecision.unplaceable(rejections);
    }

    /** Anti-affinity first (when enabled), then the higher score, then the smaller node id. */
    private static boolean better(boolean shared, double s, String id, boolean bestShared, double bestScore, String bestId) {
        if (shared != bestShared) {
            return !shared;
        }
        int byScore = Double.compare(s, bestScore);
        if (byScore != 0) {
            return byScore > 0;
        }
        return id.compareTo(bestId) < 0;
    }

    // Helpers shared by the resource-based strategies. Fractions use "after placement" usage, like kube-scheduler,
    // whose requested amount always includes the incoming pod.

    /**
     * Used fraction of one resource, clamped to 0..1. Callers skip or zero-score resources with nothing
     * allocatable (kube-scheduler's convention); 1 is returned for them only to avoid dividing by zero.
     */
    static double usedFraction(long used, long allocatable) {
        if (allocatable <= 0) {
            return 1.0;
        }
        double f = (double) used / allocatable;
        // same value as Math.min(1.0, f) for the finite, non-negative f seen here, without its NaN/-0.0 handling
        return f < 1.0 ? f : 1.0;
    }
}
