package dev.berth.benchmarks;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.placement.PlacementStrategies;
import dev.berth.core.placement.NodeCandidate;
import dev.berth.core.placement.NodeFilters;
import dev.berth.core.placement.PlacementDecision;
import dev.berth.core.placement.PlacementRequest;
import dev.berth.core.placement.PlacementStrategy;
import dev.berth.core.plan.Isolation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Cost of one placement decision, {@link PlacementStrategy#place(PlacementRequest, List)}, on a synthetic
 * cluster: {@code nodes} heterogeneous nodes (4–64 cores, 8–256 GiB, CPU overcommit 4:1, 30 % reserved)
 * already holding {@code instances} instances spread at random (fixed seed, so every run and every fork sees
 * the same cluster).
 *
 * <p>{@code place*} measure the strategy; {@code baseline*} measure a trivial scan of the same candidate list
 * (the node with the most free memory, plain loop) so that the strategy can be reported as a ratio against a
 * baseline measured in the same run, on the same machine. Each comes in two modes: throughput (decisions/s)
 * and sample time (latency distribution, read p0.99).
 */
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@Threads(1)
public class PlacementBenchmark {

    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;
    private static final long SEED = 0xBE27L;

    private static final int[] CORES = {4, 8, 16, 32, 64};
    private static final long[] MEMORY_GIB_PER_CORE = {2, 4};

    /** Plans instances are drawn from, small ones more often: cpu millis, memory, disk. */
    private static final Capacity[] PLANS = {
            new Capacity(100, 128 * MIB, GIB),
            new Capacity(100, 128 * MIB, GIB),
            new Capacity(250, 256 * MIB, 2 * GIB),
            new Capacity(250, 256 * MIB, 2 * GIB),
            new Capacity(500, 512 * MIB, 5 * GIB),
            new Capacity(1000, GIB, 10 * GIB),
    };

    @Param({"100", "1000", "5000"})
    public int nodes;

    @Param({"10000", "100000"})
    public int instances;

    @Param({"least-instances", "spread", "bin-pack", "balanced"})
    public String strategy;

    private PlacementStrategy placement;
    private PlacementRequest request;
    private List<NodeCandidate> candidates;

    /** Strategy by configuration name, exactly as an operator configures it. */
    static PlacementStrategy strategy(String name) {
        return PlacementStrategies.byName(name);
    }

    @Setup(Level.Trial)
    public void setUp() {
        placement = strategy(strategy);
        Random random = new Random(SEED);

        Node[] cluster = new Node[nodes];
        Capacity[] allocatable = new Capacity[nodes];
        for (int i = 0; i < nodes; i++) {
            // heterogeneous but coherent shapes: 4-64 cores, 2 or 4 GiB per core (8-256 GiB), 40-80 GiB disk per core
            long cores = CORES[random.nextInt(CORES.length)];
            long memory = cores * MEMORY_GIB_PER_CORE[random.nextInt(MEMORY_GIB_PER_CORE.length)] * GIB;
            long disk = cores * (40 + random.nextInt(41)) * GIB;
            // a few nodes are not taking placements, so the filters' rejection path is exercised too
            NodeStatus status = random.nextInt(100) < 2 ? NodeStatus.DRAINING : NodeStatus.ONLINE;
            cluster[i] = new Node(String.format("node-%05d", i), "docker", null,
                    Map.of("region", i % 2 == 0 ? "eu" : "us"), new Capacity(cores * 1000, memory, disk),
                    new Overcommit(4, 1, 1), 0.3, null, status);
            allocatable[i] = cluster[i].allocatable();
        }

        // spread the existing instances: a random node picked in proportion to its allocatable memory (so big
        // and small nodes fill at a similar rate, as a real scheduler would), retried a few times when it has no
        // room; what still does not fit is counted as overflow and reported by the [setup] line
        long[] cumulativeMemory = new long[nodes];
        long totalMemory = 0;
        for (int i = 0; i < nodes; i++) {
            totalMemory += allocatable[i].memoryBytes();
            cumulativeMemory[i] = totalMemory;
        }
        long[] cpu = new long[nodes];
        long[] mem = new long[nodes];
        long[] dsk = new long[nodes];
        int[] count = new int[nodes];
        int[] tenantCount = new int[nodes];
        int overflow = 0;
        for (int n = 0; n < instances; n++) {
            Capacity plan = PLANS[random.nextInt(PLANS.length)];
            boolean ofBenchTenant = random.nextInt(1000) == 0; // ~1000 tenants, the request's is one of them
            boolean placed = false;
            for (int attempt = 0; attempt < 8 && !placed; attempt++) {
                int i = Arrays.binarySearch(cumulativeMemory, (long) (random.nextDouble() * totalMemory));
                i = i < 0 ? -i - 1 : i + 1;
                if (i >= nodes) i = nodes - 1;
                Capacity a = allocatable[i];
                if (cluster[i].status() == NodeStatus.ONLINE && cpu[i] + plan.cpuMillis() <= a.cpuMillis()
                        && mem[i] + plan.memoryBytes() <= a.memoryBytes() && dsk[i] + plan.diskBytes() <= a.diskBytes()) {
                    cpu[i] += plan.cpuMillis();
                    mem[i] += plan.memoryBytes();
                    dsk[i] += plan.diskBytes();
                    count[i]++;
                    if (ofBenchTenant) tenantCount[i]++;
                    placed = true;
                }
            }
            if (!placed) overflow++;
        }

        List<NodeCandidate> list = new ArrayList<>(nodes);
        for (int i = 0; i < nodes; i++) {
            list.add(new NodeCandidate(cluster[i], new Capacity(cpu[i], mem[i], dsk[i]), count[i], tenantCount[i]));
        }
        candidates = List.copyOf(list);
        request = new PlacementRequest("inst-bench", "tenant-0", "docker", new Capacity(500, 512 * MIB, 5 * GIB),
                Isolation.SHARED, Map.of());

        PlacementDecision d = placement.place(request, candidates);
        long rejecting = candidates.stream().filter(c -> NodeFilters.rejection(request, c).isPresent()).count();
        System.out.printf("%n[setup] strategy=%s nodes=%d instances=%d: placed=%d overflow=%d, "
                        + "nodes rejecting the request=%d, decision=%s%n",
                strategy, nodes, instances, instances - overflow, overflow, rejecting,
                d.node().orElse("unplaceable"));
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public PlacementDecision place() {
        return placement.place(request, candidates);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public PlacementDecision placeLatency() {
        return placement.place(request, candidates);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public String baseline() {
        return maxFreeMemory(candidates);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public String baselineLatency() {
        return maxFreeMemory(candidates);
    }

    /** The trivial scan: id of the node with the most free memory. */
    private static String maxFreeMemory(List<NodeCandidate> candidates) {
        String best = null;
        long most = -1;
        for (int i = 0, n = candidates.size(); i < n; i++) {
            NodeCandidate c = candidates.get(i);
            long free = c.free().memoryBytes();
            if (free > most) {
                most = free;
                best = c.node().id();
            }
        }
        return best;
    }
}
