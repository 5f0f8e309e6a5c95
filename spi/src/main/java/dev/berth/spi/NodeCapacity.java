package dev.berth.spi;

/**
 * Capacity and current usage of one runtime target as the runtime reports it.
 *
 * @param target          provider's name of the node
 * @param cpuMillis       total CPU in millicores
 * @param memoryBytes     total memory
 * @param diskBytes       total disk available to instances
 * @param usedCpuMillis   CPU in use now (0 when the runtime cannot tell)
 * @param usedMemoryBytes memory in use now
 * @param usedDiskBytes   disk in use now
 * @param instanceCount   Berth instances the runtime holds on the target, or -1 when it cannot tell
 * @param healthy         whether the runtime considers the target healthy (a Proxmox node reported offline, a
 *                        K3s node NotReady: false); a target missing from the list counts as unhealthy too
 */
public record NodeCapacity(String target, long cpuMillis, long memoryBytes, long diskBytes,
                           long usedCpuMillis, long usedMemoryBytes, long usedDiskBytes, int instanceCount,
                           boolean healthy) {

    /** A healthy target whose instance count the runtime does not report. */
    public NodeCapacity(String target, long cpuMillis, long memoryBytes, long diskBytes,
                        long usedCpuMillis, long usedMemoryBytes, long usedDiskBytes) {
        this(target, cpuMillis, memoryBytes, diskBytes, usedCpuMillis, usedMemoryBytes, usedDiskBytes, -1, true);
    }
}
