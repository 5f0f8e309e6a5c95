package dev.berth.core.placement;

/**
 * The default strategy ("least-instances"): among nodes that pass {@link NodeFilters}, the one with the fewest
 * instances, ties broken by node id. Spreads instances evenly, like round-robin, but stays correct after
 * terminations. Score = {@code 100 / (1 + instanceCount)}: strictly decreasing in the count, so ranking by score is
 * ranking by fewest instances.
 */
public final class LeastInstancesStrategy extends ScoringStrategy {

    /** Without anti-affinity (the historical behaviour). */
    public LeastInstancesStrategy() {
        this(false);
    }

    /** @param antiAffinity see {@link ScoringStrategy} */
    public LeastInstancesStrategy(boolean antiAffinity) {
        super(antiAffinity);
    }

    @Override
    public String name() {
        return "least-instances";
    }

    @Override
    protected double score(long cpuAfter, long memAfter, long diskAfter, long cpuAlloc, long memAlloc, long diskAlloc,
                           int instanceCount) {
        return 100.0 / (1 + Math.max(0, instanceCount));
    }

    /** Minus the instance count: one-to-one with the score, without a division per node (tolerance 0). */
    @Override
    protected double rankKey(long cpuAfter, long memAfter, long diskAfter, long cpuAlloc, long memAlloc, long diskAlloc,
                             double invCpu, double invMem, double invDisk, int instanceCount) {
        return -Math.max(0, instanceCount);
    }
}
