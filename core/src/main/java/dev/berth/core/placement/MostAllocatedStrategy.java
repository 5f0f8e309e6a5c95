package dev.berth.core.placement;

/**
 * "bin-pack": kube-scheduler's MostAllocated. Score = mean over CPU and memory of
 * {@code min(allocated-after-placement, allocatable) / allocatable × 100}, so the fullest node that still fits wins,
 * leaving other nodes empty (cheaper to scale down, room for large instances). A resource with nothing allocatable
 * scores 0, as in kube-scheduler. Disk only constrains, through {@link NodeFilters}.
 */
public final class MostAllocatedStrategy extends ScoringStrategy {

    /** Without anti-affinity. */
    public MostAllocatedStrategy() {
        this(false);
    }

    /** @param antiAffinity see {@link ScoringStrategy} */
    public MostAllocatedStrategy(boolean antiAffinity) {
        super(antiAffinity);
    }

    @Override
    public String name() {
        return "bin-pack";
    }

    @Override
    protected double score(long cpuAfter, long memAfter, long diskAfter, long cpuAlloc, long memAlloc, long diskAlloc,
                           int instanceCount) {
        return (usedScore(cpuAfter, cpuAlloc) + usedScore(memAfter, memAlloc)) / 2;
    }

    /** The score with multiplications by the reciprocals: within about 1e-13 of the exact score. */
    @Override
    protected double rankKey(long cpuAfter, long memAfter, long diskAfter, long cpuAlloc, long memAlloc, long diskAlloc,
                             double invCpu, double invMem, double invDisk, int instanceCount) {
        double cpu = cpuAlloc <= 0 ? 0 : (double) Math.min(cpuAfter, cpuAlloc) * 100 * invCpu;
        double mem = memAlloc <= 0 ? 0 : (double) Math.min(memAfter, memAlloc) * 100 * invMem;
        return (cpu + mem) / 2;
    }

    @Override
    protected double keyTolerance() {
        return 1e-9;
    }

    private static double usedScore(long used, long allocatable) {
        if (allocatable <= 0) {
            return 0;
        }
        return (double) Math.min(used, allocatable) * 100 / allocatable;
    }
}
