package dev.berth.core.placement;

/**
 * "balanced": kube-scheduler's BalancedAllocation over CPU, memory and disk. With
 * {@code f_r = min(allocated-after-placement_r / allocatable_r, 1)}, score = {@code (1 - stddev(f)) × 100}
 * (population standard deviation). Prefers the node whose resources end up equally used, so no node is left with,
 * say, spare CPU but no memory. Resources with nothing allocatable are skipped, as kube-scheduler does; with fewer
 * than two usable resources the score is 100.
 */
public final class BalancedAllocationStrategy extends ScoringStrategy {

    /** Without anti-affinity. */
    public BalancedAllocationStrategy() {
        this(false);
    }

    /** @param antiAffinity see {@link ScoringStrategy} */
    public BalancedAllocationStrategy(boolean antiAffinity) {
        super(antiAffinity);
    }

    @Override
    public String name() {
        return "balanced";
    }

    @Override
    protected double score(long cpuAfter, long memAfter, long diskAfter, long cpuAlloc, long memAlloc, long diskAlloc,
                           int instanceCount) {
        return scoreOfKey(rankKey(cpuAfter, memAfter, diskAfter, cpuAlloc, memAlloc, diskAlloc, instanceCount));
    }

    /**
     * Minus the variance of the used fractions (0 with fewer than two resources): the score is
     * {@code (1 - sqrt(variance)) × 100}, so ranking by this key skips the square root for every node but the best.
     */
    @Override
    protected double rankKey(long cpuAfter, long memAfter, long diskAfter, long cpuAlloc, long memAlloc, long diskAlloc,
                             int instanceCount) {
        // the three resources unrolled (no arrays on the hot path), summed in the same order as a loop would
        boolean hasCpu = cpuAlloc > 0;
        boolean hasMem = memAlloc > 0;
        boolean hasDisk = diskAlloc > 0;
        int n = (hasCpu ? 1 : 0) + (hasMem ? 1 : 0) + (hasDisk ? 1 : 0);
        if (n < 2) {
            return 0; // score 100
        }
        double fCpu = hasCpu ? usedFraction(cpuAfter, cpuAlloc) : 0;
        double fMem = hasMem ? usedFraction(memAfter, memAlloc) : 0;
        double fDisk = hasDisk ? usedFraction(diskAfter, diskAlloc) : 0;
        double sum = 0;
        if (hasCpu) sum += fCpu;
        if (hasMem) sum += fMem;
        if (hasDisk) sum += fDisk;
        double mean = sum / n;
        double var = 0;
        if (hasCpu) var += (fCpu - mean) * (fCpu - mean);
        if (hasMem) var += (fMem - mean) * (fMem - mean);
        if (hasDisk) var += (fDisk - mean) * (fDisk - mean);
        return -(var / n);
    }

    @Override
    protected double scoreOfKey(double key) {
        return (1 - Math.sqrt(-key)) * 100;
    }

    /**
     * Variances lie in [0, 0.25]. Two that differ by more than 1e-9 have square roots at least 1e-9 apart, far more
     * than the rounding of {@code 1 - sqrt} and {@code × 100} (about 1e-14), so their scores differ; only keys closer
     * than that can round to the same score and need the exact comparison.
     */
    @Override
    protected double keyTolerance() {
        return 1e-9;
    }
}
