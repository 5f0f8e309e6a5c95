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
 * works on primitives read from one object per node: the filters run allocation-free, a first pass ranks every
 * node by a cheap key ({@link #rankKey}: multiplications by precomputed reciprocals instead of divisions, no square
 * root), a second pass computes the exact {@link #score(long, long, long, long, long, long, int)} only for the nodes
 * whose key is within {@link #keyTolerance()} of the best (the keys are kept in a per-thread array) and breaks ties
 * by node id among those, and the per-node rejection messages are only built when no node fits (a placed decision
 * carries none). The result is exactly that of computing every exact score. The result is the same as filtering
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

    /**
     * What pass 1 of {@link #place} ranks by: a cheap stand-in for the score (no division, no square root), given
     * the reciprocals of the allocatable amounts (0 where nothing is allocatable), within {@link #keyTolerance()}
     * of an order-preserving transform of the exact score. Only nodes whose key is within the tolerance of the best
     * one get their exact score computed. Default: the exact score.
     */
    protected double rankKey(long cpuAfter, long memAfter, long diskAfter, long cpuAlloc, long memAlloc, long diskAlloc,
                             double invCpu, double invMem, double invDisk, int instanceCount) {
        return score(cpuAfter, memAfter, diskAfter, cpuAlloc, memAlloc, diskAlloc, instanceCount);
    }

    /**
     * A bound such that a node whose key is more than this below the best key has a strictly lower exact score.
     * 0 when the key is the exact score (or a one-to-one transform of it).
     */
    protected double keyTolerance() {
        return 0;
    }

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
        int size = candidates.size();
        double[] scores = scoreBuffer(size);

        // pass 1: filter and score every node, remember the best rank and how many nodes share it; no string is
        // compared here (ties are frequent: every empty node scores the same)
        int first = -1;
        double max = 0;
        boolean maxShared = false;
        int ties = 0;
        for (int k = 0; k < size; k++) {
            NodeCandidate c = candidates.get(k);
            scores[k] = Double.NEGATIVE_INFINITY; // below any key: never a tie in pass 2
            // status and provider from the candidate's own copies; the node itself only for label rules
            if (!c.online || (provider != null && !provider.equals(c.providerKind))
                    || ((dedicated || !required.isEmpty()) && !NodeFilters.eligible(c.node(), provider, dedicated, required))) {
                continue;
            }
            long aCpu = c.cpuAllocatable;
            long aMem = c.memoryAllocatable;
            long aDisk = c.diskAllocatable;
            long uCpu = c.cpuAllocated;
            long uMem = c.memoryAllocated;
            long uDisk = c.diskAllocated;
            if (dCpu > Math.max(0, aCpu - uCpu) || dMem > Math.max(0, aMem - uMem) || dDisk > Math.max(0, aDisk - uDisk)) {
                continue;
            }
            double s = rankKey(uCpu + dCpu, uMem + dMem, uDisk + dDisk, aCpu, aMem, aDisk,
                    c.cpuInverse, c.memoryInverse, c.diskInverse, c.instanceCount());
            scores[k] = s;
            boolean shared = antiAffinity && c.tenantInstanceCount() > 0;
            if (first < 0 || (shared != maxShared ? !shared : Double.compare(s, max) > 0)) {
                first = k;
                max = s;
                maxShared = shared;
                ties = 1;
            } else if (shared == maxShared && Double.compare(s, max) == 0) {
                ties++;
            }
        }
        if (first >= 0) {
            double tolerance = keyTolerance();
            if (tolerance == 0 && ties == 1) {
                return PlacementDecision.placed(candidates.get(first).node().id());
            }
            // pass 2, over the nodes whose key is within the tolerance of the best (in the best's anti-affinity
            // group): their exact scores decide, ties broken by the smallest node id. From the start of the list:
            // with a tolerance, a node before the first best key can be the best.
            double floor = max - tolerance;
            NodeCandidate winner = null;
            double best = 0;
            for (int k = tolerance == 0 ? first : 0; k < size; k++) {
                if (scores[k] < floor) {
                    continue;
                }
                NodeCandidate c = candidates.get(k);
                if ((antiAffinity && c.tenantInstanceCount() > 0) != maxShared) {
                    continue;
                }
                double s = score(c.cpuAllocated + dCpu, c.memoryAllocated + dMem, c.diskAllocated + dDisk,
                        c.cpuAllocatable, c.memoryAllocatable, c.diskAllocatable, c.instanceCount());
                int cmp = winner == null ? 1 : Double.compare(s, best);
                if (cmp > 0 || (cmp == 0 && c.idBefore(winner))) {
                    winner = c;
                    best = s;
                }
            }
            return PlacementDecision.placed(winner.node().id());
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

    /** Per-thread scratch array for one decision's scores (strategies are shared between threads). */
    private static final ThreadLocal<double[]> SCORES = ThreadLocal.withInitial(() -> new double[64]);

    private static double[] scoreBuffer(int size) {
        double[] b = SCORES.get();
        if (b.length < size) {
            b = new double[Math.max(size, b.length * 2)];
            SCORES.set(b);
        }
        return b;
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
