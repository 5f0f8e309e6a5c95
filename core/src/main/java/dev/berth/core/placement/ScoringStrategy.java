package dev.berth.core.placement;

import dev.berth.core.node.Capacity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base for strategies that filter then score, the way kube-scheduler does: every candidate first goes through
 * {@link NodeFilters#rejection} (the per-node reasons are collected for the decision when nothing fits), each
 * survivor is scored with {@link #score} (higher is better, 0..100), and the best one wins, ties broken by node id
 * ascending so equal inputs always give the same node.
 *
 * <p><b>Anti-affinity</b> (constructor option): when enabled, a node that already holds an instance of the request's
 * tenant ({@link NodeCandidate#tenantInstanceCount()} &gt; 0) ranks after every node that holds none, whatever its
 * score. It is a preference, not a filter: such a node is still chosen when no other node fits, because refusing to
 * place is worse than co-locating two instances of one tenant.
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
     * Scores a candidate that passed the filters: 0..100, higher is better. Must be a pure function of its inputs.
     */
    public abstract double score(PlacementRequest request, NodeCandidate candidate);

    @Override
    public final PlacementDecision place(PlacementRequest request, List<NodeCandidate> candidates) {
        Map<String, String> rejections = new LinkedHashMap<>();
        NodeCandidate best = null;
        double bestScore = 0;
        for (NodeCandidate c : candidates) {
            var why = NodeFilters.rejection(request, c);
            if (why.isPresent()) {
                rejections.put(c.node().id(), why.get());
                continue;
            }
            double s = score(request, c);
            if (best == null || better(c, s, best, bestScore)) {
                best = c;
                bestScore = s;
            }
        }
        if (candidates.isEmpty()) {
            rejections.put("*", "no nodes registered");
        }
        return best == null ? PlacementDecision.unplaceable(rejections) : PlacementDecision.placed(best.node().id());
    }

    private boolean better(NodeCandidate c, double s, NodeCandidate best, double bestScore) {
        if (antiAffinity) {
            boolean cShared = c.tenantInstanceCount() > 0;
            boolean bestShared = best.tenantInstanceCount() > 0;
            if (cShared != bestShared) {
                return !cShared;
            }
        }
        int byScore = Double.compare(s, bestScore);
        if (byScore != 0) {
            return byScore > 0;
        }
        return c.node().id().compareTo(best.node().id()) < 0;
    }

    // Helpers shared by the resource-based strategies. Fractions use "after placement" usage, like kube-scheduler,
    // whose requested amount always includes the incoming pod.

    /**
     * Used fraction of one resource after placing the demand, clamped to 0..1. Callers skip or zero-score resources
     * with nothing allocatable (kube-scheduler's convention); 1 is returned for them only to avoid dividing by zero.
     */
    static double usedFraction(long allocated, long demand, long allocatable) {
        if (allocatable <= 0) {
            return 1.0;
        }
        return Math.min(1.0, (double) (allocated + demand) / allocatable);
    }

    /** Allocation on the candidate after placing {@code request}. */
    static Capacity after(PlacementRequest request, NodeCandidate candidate) {
        return candidate.allocated().plus(request.demand());
    }
}
