package dev.berth.docker.capacity;

import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Statistics;
import dev.berth.docker.create.PlanVolumes;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.host.DockerLabels;
import dev.berth.docker.locate.InstanceLocator;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.error.UnavailableException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Capacity and usage of each Docker host, one Berth node each. CPU and memory capacity come from the daemon's
 * {@code info}; disk from the host's configured {@code diskBytes}, else the file system of the daemon's data
 * directory when it is local. Used CPU and memory are sampled from the stats of Berth's running containers (in
 * parallel: one sample takes about a second); used disk is the sum of the disk quotas of Berth's instances on
 * the host.
 */
public final class HostCapacity implements AutoCloseable {

    private final InstanceLocator locator;
    private final PlanVolumes plans;
    private final ExecutorService statsPool = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "berth-docker-stats");
        t.setDaemon(true);
        return t;
    });

    /** Capacity of the hosts the locator knows. */
    public HostCapacity(InstanceLocator locator, PlanVolumes plans) {
        this.locator = locator;
        this.plans = plans;
    }

    /** One entry per configured host, in configuration order. */
    public List<NodeCapacity> nodes() {
        List<NodeCapacity> result = new ArrayList<>();
        for (DockerHost host : locator.hosts()) {
            Info info = host.info();
            long cpu = (info.getNCPU() == null ? 0 : info.getNCPU()) * 1000L;
            long memory = info.getMemTotal() == null ? 0 : info.getMemTotal();
            long disk = host.config().diskBytes() > 0 ? host.config().diskBytes() : localDisk(info.getDockerRootDir());
            List<Container> mine = host.containers(DockerLabels.managed());
            long usedDisk = plans.planDisks(host).values().stream().mapToLong(Long::longValue).sum();
            List<Future<Optional<Statistics>>> samples = new ArrayList<>();
            for (Container c : mine) {
                if ("running".equals(c.getState())) {
                    samples.add(statsPool.submit(() -> host.stats(c.getId())));
                }
            }
            long usedCpu = 0;
            long usedMemory = 0;
            for (Future<Optional<Statistics>> f : samples) {
                Optional<Statistics> s = join(f);
                if (s.isEmpty()) continue;
                usedCpu += cpuMillis(s.get());
                Long mem = s.get().getMemoryStats() == null ? null : s.get().getMemoryStats().getUsage();
                usedMemory += mem == null ? 0 : mem;
            }
            result.add(new NodeCapacity(host.name(), cpu, memory, disk, usedCpu, usedMemory, usedDisk));
        }
        return result;
    }

    /** Stops the sampling threads. */
    @Override
    public void close() {
        statsPool.shutdownNow();
    }

    /** The CPU a sample shows in use, in millicores: the share of system CPU time between its two readings. */
    private static long cpuMillis(Statistics s) {
        if (s.getCpuStats() == null || s.getPreCpuStats() == null || s.getCpuStats().getCpuUsage() == null
                || s.getPreCpuStats().getCpuUsage() == null) return 0;
        Long total = s.getCpuStats().getCpuUsage().getTotalUsage();
        Long preTotal = s.getPreCpuStats().getCpuUsage().getTotalUsage();
        Long system = s.getCpuStats().getSystemCpuUsage();
        Long preSystem = s.getPreCpuStats().getSystemCpuUsage();
        Long cpus = s.getCpuStats().getOnlineCpus();
        if (total == null || preTotal == null || system == null || preSystem == null || system <= preSystem) return 0;
        double share = (double) (total - preTotal) / (system - preSystem);
        return Math.round(share * (cpus == null ? 1 : cpus) * 1000);
    }

    private static long localDisk(String dockerRootDir) {
        try {
            Path root = Path.of(dockerRootDir == null ? "/var/lib/docker" : dockerRootDir);
            return Files.exists(root) ? Files.getFileStore(root).getTotalSpace() : 0;
        } catch (IOException | SecurityException e) {
            return 0;
        }
    }

    private static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while sampling container stats");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new UnavailableException("sampling container stats failed", e.getCause());
        }
    }
}
