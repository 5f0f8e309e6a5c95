package dev.berth.docker.create;

import com.github.dockerjava.api.model.HostConfig;
import dev.berth.spi.ResourceLimits;

import java.util.List;

/**
 * Maps a plan's limits, which apply to the instance as a whole, onto its containers and back. Each value is
 * split evenly across the components (the remainder goes to the first ones), so the sum over the containers
 * is exactly the plan and {@link #readBack} recovers it from {@code HostConfig}:
 * <ul>
 *   <li>CPU limit → {@code NanoCpus}; CPU request → {@code CpuShares} (1024 shares per CPU, Docker's weight;
 *       at least 2 per container, so requests below 2 millicores per component read back rounded up)</li>
 *   <li>memory limit → {@code Memory} (and {@code MemorySwap}, so no swap beyond it); memory request →
 *       {@code MemoryReservation}</li>
 *   <li>disk → a label: Docker cannot cap a named volume on common storage drivers</li>
 * </ul>
 */
public record ResourceSplit(long nanoCpus, int cpuShares, long memoryBytes, long memoryReservationBytes) {

    private static final long MIN_SHARES = 2;

    /** The part of {@code limits} for component {@code index} of {@code count}. */
    public static ResourceSplit of(ResourceLimits limits, int index, int count) {
        long shares = Math.round(limits.cpuRequestMillis() * 1024 / 1000.0);
        return new ResourceSplit(part(limits.cpuLimitMillis() * 1_000_000L, index, count),
                // 0 would mean "Docker's default of 1024" and Docker's minimum is 2
                (int) Math.max(MIN_SHARES, part(shares, index, count)),
                part(limits.memoryLimitBytes(), index, count),
                part(limits.memoryRequestBytes(), index, count));
    }

    /** The same values as Docker reports them in one container's {@code HostConfig}. */
    static ResourceSplit of(HostConfig hc) {
        return new ResourceSplit(nz(hc.getNanoCPUs()), (int) nz(hc.getCpuShares() == null ? null : hc.getCpuShares().longValue()),
                nz(hc.getMemory()), nz(hc.getMemoryReservation()));
    }

    /** The instance's limits from its containers' host configs and the disk label. */
    public static ResourceLimits readBack(List<HostConfig> configs, long diskBytes) {
        long nanos = 0;
        long shares = 0;
        long memory = 0;
        long reservation = 0;
        for (HostConfig hc : configs) {
            ResourceSplit s = of(hc);
            nanos += s.nanoCpus;
            shares += s.cpuShares;
            memory += s.memoryBytes;
            reservation += s.memoryReservationBytes;
        }
        return new ResourceLimits(Math.round(shares * 1000 / 1024.0), nanos / 1_000_000L, reservation, memory, diskBytes);
    }

    private static long part(long total, int index, int count) {
        return total / count + (index < total % count ? 1 : 0);
    }

    private static long nz(Long v) {
        return v == null ? 0 : v;
    }
}
