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
}
