package dev.berth.benchmarks;

import dev.berth.proxmox.lxc.ProvisionRequests;
import dev.berth.proxmox.lxc.VmidAllocator;
import dev.berth.proxmox.sim.SimCluster;
import dev.berth.proxmox.sim.SimTimings;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.RuntimeState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * End-to-end provision throughput of the Proxmox LXC provider against the Proxmox simulator with realistic task
 * durations (vzcreate 9 s, vzstart 1.8 s, … times {@code scale}), three nodes with three pvedaemon workers each,
 * and SSH bootstrap into every container. Each provision is the whole verb: VM id, create task, start task,
 * env file over SFTP, service restart, status read back.
 *
 * <p>After a discarded warm-up, baseline and measurement run in the same process on fresh clusters: the baseline provisions one instance
 * at a time (what a single-threaded control plane, or Telmate's {@code pm_parallel = 1}, does); the
 * measurement keeps {@code concurrency} provisions in flight, spread over the nodes. The ratio of their
 * throughputs is the figure to compare across changes; absolute numbers depend on {@code scale}.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.berth.benchmarks.ProxmoxProvisionBenchmark [scale] [instances] [concurrency]</pre>
 */
public final class ProxmoxProvisionBenchmark {

    private ProxmoxProvisionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        double scale = args.length > 0 ? Double.parseDouble(args[0]) : 0.2;
        int instances = args.length > 1 ? Integer.parseInt(args[1]) : 24;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 9;
        int baselineInstances = Math.max(3, instances / 4);
        System.out.printf(Locale.ROOT, "Proxmox provision benchmark: scale %.2f (vzcreate %d ms, vzstart %d ms), 3 nodes%n",
                scale, SimTimings.realistic(scale).of("vzcreate").toMillis(), SimTimings.realistic(scale).of("vzstart").toMillis());

        run(scale, 6, 3); // warm-up (JIT, SSH and HTTP clients), discarded
        Result baseline = run(scale, baselineInstances, 1);
        Result measured = run(scale, instances, concurrency);
        print("baseline (1 in flight)", baseline);
        print("measured (" + concurrency + " in flight)", measured);
        System.out.printf(Locale.ROOT, "throughput ratio measured/baseline: %.2fx%n", measured.perMinute() / baseline.perMinute());
    }

    private static void print(String name, Result r) {
        System.out.printf(Locale.ROOT, "%-24s %3d provisions in %6.1f s = %6.1f /min; latency p50 %5.0f ms, p99 %5.0f ms, max %5.0f ms%n",
                name, r.latenciesMs.size(), r.seconds, r.perMinute(), r.percentile(50), r.percentile(99), r.percentile(100));
    }

    private static Result run(double scale, int instances, int concurrency) throws Exception {
        Duration poll = Duration.ofMillis(Math.max(20, Math.round(1000 * scale)));
        try (SimCluster cluster = SimCluster.start(
                SimCluster.simulator(3, SimTimings.realistic(scale)),
                c -> c.pollInterval(poll, poll.multipliedBy(5)),
                SimCluster.defaultSettings(), VmidAllocator.range(10000, 19999))) {
            cluster.sim().faults().handlerLatency(Duration.ofMillis(Math.max(1, Math.round(40 * scale))));
            List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(concurrency);
            long start = System.nanoTime();
            try {
                List<Future<InstanceStatus>> futures = new ArrayList<>();
                for (int i = 0; i < instances; i++) {
                    String node = "pve" + (i % 3 + 1);
                    futures.add(pool.submit(() -> {
                        long t0 = System.nanoTime();
                        InstanceStatus s = cluster.provider().provision(ProvisionRequests.request(ProvisionRequests.newId(), node));
                        latencies.add((System.nanoTime() - t0) / 1e6);
                        return s;
                    }));
                }
                for (Future<InstanceStatus> f : futures) {
                    if (f.get().state() != RuntimeState.RUNNING) {
                        throw new IllegalStateException("an instance did not end RUNNING: " + f.get());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long berthContainers = cluster.sim().containers().stream()
                    .filter(c -> c.config().getOrDefault("tags", "").contains("berth")).count();
            if (berthContainers != instances) {
                throw new IllegalStateException("expected " + instances + " containers, found " + berthContainers);
            }
            return new Result(seconds, new ArrayList<>(latencies));
        }
    }

    private record Result(double seconds, List<Double> latenciesMs) {
        double perMinute() {
            return latenciesMs.size() / seconds * 60;
        }

        double percentile(int p) {
            List<Double> sorted = new ArrayList<>(latenciesMs);
            Collections.sort(sorted);
            int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(idx, sorted.size() - 1)));
        }
    }
}
