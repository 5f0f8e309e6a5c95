package dev.berth.core.placement;

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
    protected double score(long cpuAfter, long memAfter, long diskAfter, long cpuAlloc, long memAlloc, long diskAlloc,
                           int instanceCount) {
        return (free(cpuAfter, cpuAlloc) + free(memAfter, memAlloc)) / 2;
    }

    /** The score with multiplications by the reciprocals: within about 1e-13 of the exact score. */
    @Override
    protected double rankKey(long cpuAfter, long memAfter, long diskAfter, long cpuAlloc, long memAlloc, long diskAlloc,
                             double invCpu, double invMem, double invDisk, int instanceCount) {
        double cpu = cpuAlloc <= 0 || cpuAfter > cpuAlloc ? 0 : (double) (cpuAlloc - cpuAfter) * 100 * invCpu;
        double mem = memAlloc <= 0 || memAfter > memAlloc ? 0 : (double) (memAlloc - memAfter) * 100 * invMem;
        return (cpu + mem) / 2;
    }

    @Override
    protected double keyTolerance() {
        return 1e-9;
    }

    private static double free(long used, long allocatable) {
        if (allocatable <= 0 || used > allocatable) {
            return 0;
        }
        return (double) (allocatable - used) * 100 / allocatable;
    }
}
