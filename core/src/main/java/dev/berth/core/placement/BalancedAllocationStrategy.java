package dev.berth.core.placement;

import dev.berth.core.node.Capacity;

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
    public double score(PlacementRequest request, NodeCandidate candidate) {
        Capacity alloc = candidate.node().allocatable();
        Capacity used = after(request, candidate);
        long[] u = {used.cpuMillis(), used.memoryBytes(), used.diskBytes()};
        long[] a = {alloc.cpuMillis(), alloc.memoryBytes(), alloc.diskBytes()};
        double[] f = new double[3];
        int n = 0;
        double sum = 0;
        for (int i = 0; i < 3; i++) {
            if (a[i] > 0) {
                f[n] = usedFraction(u[i], 0, a[i]);
                sum += f[n];
                n++;
            }
        }
        if (n < 2) {
            return 100;
        }
        double mean = sum / n;
        double var = 0;
        for (int i = 0; i < n; i++) {
            var += (f[i] - mean) * (f[i] - mean);
        }
        return (1 - Math.sqrt(var / n)) * 100;
    }
}
