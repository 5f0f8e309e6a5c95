package dev.berth.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * The placement table measured in this thread's CPU time rather than wall-clock time: on a machine shared with
 * other busy processes, JMH's wall-clock figures mostly measure how much of a core the benchmark got, while CPU
 * time measures what a decision costs. Same clusters, requests and strategies as {@link PlacementBenchmark} (its
 * setup is reused), single-threaded, with the plain-scan baseline measured in the same run.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.berth.benchmarks.PlacementCpuTime [seconds-per-cell
 * [nodes,… [strategy,…]]]}.
 * Prints one Markdown row per cell: decisions per CPU-second and the p99 CPU time of one decision, for the strategy
 * and the baseline, and the strategy's speed against kube-scheduler's 680/s and Nomad's 1,500/s.
 */
public final class PlacementCpuTime {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private PlacementCpuTime() {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        int[] nodeCounts = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {100, 1000, 5000};
        int[] instanceCounts = {10_000, 100_000};
        String[] strategies = args.length > 2 ? args[2].split(",") : new String[] {"least-instances", "spread", "bin-pack", "balanced"};
        System.out.println("| nodes | instances | strategy | decisions/CPU-s | p99 µs (CPU) | baseline/CPU-s | baseline p99 µs | "
                + "÷ baseline | × kube 680/s | × Nomad 1,500/s |");
        System.out.println("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        for (int nodes : nodeCounts) {
            for (int instances : instanceCounts) {
                for (String strategy : strategies) {
                    PlacementBenchmark b = new PlacementBenchmark();
                    b.nodes = nodes;
                    b.instances = instances;
                    b.strategy = strategy;
                    b.setUp();
                    Runnable place = b::place;
                    Runnable baseline = b::baseline;
                    measure(place, seconds); // warm-up of both paths
                    measure(baseline, seconds);
                    double[] p = measure(place, seconds);
                    double[] base = measure(baseline, seconds);
                    System.out.printf(Locale.ROOT, "| %,d | %,d | %s | %,.0f | %.1f | %,.0f | %.1f | %.2f | %.0f | %.0f |%n",
                            nodes, instances, strategy, p[0], p[1], base[0], base[1], base[0] / p[0], p[0] / 680, p[0] / 1500);
                }
            }
        }
    }

    /** Runs {@code op} for about {@code seconds} of CPU time: {decisions per CPU second, p99 CPU µs per decision}. */
    private static double[] measure(Runnable op, double seconds) {
        long budget = (long) (seconds * 1e9);
        long[] samples = new long[1 << 16];
        int n = 0;
        long total = 0;
        while (total < budget) {
            long t0 = THREADS.getCurrentThreadCpuTime();
            op.run();
            long dt = THREADS.getCurrentThreadCpuTime() - t0;
            total += dt;
            if (n == samples.length) samples = Arrays.copyOf(samples, n * 2);
            samples[n++] = dt;
        }
        long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        return new double[] {n / (total / 1e9), sorted[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)] / 1e3};
    }
}
