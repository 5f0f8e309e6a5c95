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
        // the three resources unrolled (no arrays on the hot path), summed in the same order as a loop would
        boolean hasCpu = cpuAlloc > 0;
        boolean hasMem = memAlloc > 0;
        boolean hasDisk = diskAlloc > 0;
        int n = (hasCpu ? 1 : 0) + (hasMem ? 1 : 0) + (hasDisk ? 1 : 0);
        if (n < 2) {
            return 100;
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
        return (1 - Math.sqrt(var / n)) * 100;
    }

    /**
     * Minus the variance of the used fractions, from multiplications by the reciprocals (no division, no square
     * root); the score is {@code (1 - sqrt(variance)) × 100}, so a larger key never means a lower score.
     */
    @Override
    protected double rankKey(long cpuAfter, long memAfter, long diskAfter, long cpuAlloc, long memAlloc, long diskAlloc,
                             double invCpu, double invMem, double invDisk, int instanceCount) {
        boolean hasCpu = cpuAlloc > 0;
        boolean hasMem = memAlloc > 0;
        boolean hasDisk = diskAlloc > 0;
        int n = (hasCpu ? 1 : 0) + (hasMem ? 1 : 0) + (hasDisk ? 1 : 0);
        if (n < 2) {
            return 0;
        }
        double fCpu = hasCpu ? Math.min(1.0, cpuAfter * invCpu) : 0;
        double fMem = hasMem ? Math.min(1.0, memAfter * invMem) : 0;
        double fDisk = hasDisk ? Math.min(1.0, diskAfter * invDisk) : 0;
        double inv = n == 3 ? 1.0 / 3 : 0.5;
        double mean = (fCpu + fMem + fDisk) * inv; // an absent resource adds 0
        double var = 0;
        if (hasCpu) var += (fCpu - mean) * (fCpu - mean);
        if (hasMem) var += (fMem - mean) * (fMem - mean);
        if (hasDisk) var += (fDisk - mean) * (fDisk - mean);
        return -(var * inv);
    }

    /**
     * Variances lie in [0, 0.25] and the key is within about 1e-15 of minus the exact one. A node whose key is more
     * than 1e-9 below the best has a variance at least 1e-9 larger, hence a square root at least 1e-9 larger, which
     * the rounding of {@code 1 - sqrt} and {@code × 100} (about 1e-14) cannot undo: its score is strictly lower.
     */
    @Override
    protected double keyTolerance() {
        return 1e-9;
    }
}
