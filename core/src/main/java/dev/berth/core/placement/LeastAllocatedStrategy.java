package dev.berth.core.placement;

import dev.berth.core.node.Capacity;

/**
 * "spread": kube-scheduler's LeastAllocated. Score = mean over CPU and memory of
 * {@code (allocatable - allocated-after-placement) / allocatable × 100}, so the emptiest node wins and load spreads
 * out. A resource with nothing allocatable scores 0, as in kube-scheduler. Disk is left out on purpose, matching
 * kube's default resource weights (cpu:1, memory:1); disk still constrains through {@link NodeFilters}.
 */
public final class LeastAllocatedStrategy extends ScoringStrategy {

    /** Without anti-affinity. */
    public LeastAllocatedStrategy() {
        this(false);
    }

    /** @param antiAffinity see {@link ScoringStrategy} */
    public LeastAllocatedStrategy(boolean antiAffinity) {
        super(antiAffinity);
    }

    @Override
    public String name() {
        return "spread";
    }

    @Override
    public double score(PlacementRequest request, NodeCandidate candidate) {
        Capacity alloc = candidate.node().allocatable();
        Capacity used = after(request, candidate);
        return (free(used.cpuMillis(), alloc.cpuMillis()) + free(used.memoryBytes(), alloc.memoryBytes())) / 2;
    }

    private static double free(long used, long allocatable) {
        if (allocatable <= 0 || used > allocatable) {
            return 0;
        }
        return (double) (allocatable - used) * 100 / allocatable;
    }
}
