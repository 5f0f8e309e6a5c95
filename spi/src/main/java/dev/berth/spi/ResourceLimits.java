package dev.berth.spi;

import dev.berth.spi.error.InvalidSpecException;

/**
 * Typed resources of a plan. Requests are what the instance is guaranteed (and what placement counts for
 * shared plans); limits are the ceiling the runtime enforces. A burstable plan has request &lt; limit, for
 * example 250 millicores / 512 MiB requested with a 1000 millicore / 1 GiB limit. Every value is required and
 * positive, so there is no "unlimited" plan by accident.
 *
 * @param cpuRequestMillis   guaranteed CPU in millicores (1000 = one vCPU)
 * @param cpuLimitMillis     CPU ceiling in millicores
 * @param memoryRequestBytes guaranteed memory in bytes
 * @param memoryLimitBytes   memory ceiling in bytes
 * @param diskBytes          disk quota in bytes
 */
public record ResourceLimits(long cpuRequestMillis, long cpuLimitMillis,
                             long memoryRequestBytes, long memoryLimitBytes, long diskBytes) {

    public static final long MIB = 1024L * 1024L;
    public static final long GIB = 1024L * MIB;

    public ResourceLimits {
        positive("cpuRequestMillis", cpuRequestMillis);
        positive("cpuLimitMillis", cpuLimitMillis);
        positive("memoryRequestBytes", memoryRequestBytes);
        positive("memoryLimitBytes", memoryLimitBytes);
        positive("diskBytes", diskBytes);
        if (cpuRequestMillis > cpuLimitMillis) {
            throw new InvalidSpecException("cpuRequestMillis", "request " + cpuRequestMillis + " exceeds limit " + cpuLimitMillis);
        }
        if (memoryRequestBytes > memoryLimitBytes) {
            throw new InvalidSpecException("memoryRequestBytes", "request " + memoryRequestBytes + " exceeds limit " + memoryLimitBytes);
        }
        // below 4 MiB no container runtime starts a process; a value this small is a unit mistake
        if (memoryLimitBytes < 4 * MIB) {
            throw new InvalidSpecException("memoryLimitBytes", "must be at least 4 MiB (is the unit bytes?)");
        }
    }

    /** Request equals limit: a guaranteed (not burstable) allocation. */
    public static ResourceLimits guaranteed(long cpuMillis, long memoryBytes, long diskBytes) {
        return new ResourceLimits(cpuMillis, cpuMillis, memoryBytes, memoryBytes, diskBytes);
    }

    /** True when the plan may use more than it requested. */
    public boolean burstable() {
        return cpuRequestMillis < cpuLimitMillis || memoryRequestBytes < memoryLimitBytes;
    }

    private static void positive(String field, long value) {
        if (value <= 0) {
            throw new InvalidSpecException(field, "must be positive, was " + value);
        }
    }
}
