package dev.berth.core.provider;

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
 */
public record NodeCapacity(String target, long cpuMillis, long memoryBytes, long diskBytes,
                           long usedCpuMillis, long usedMemoryBytes, long usedDiskBytes) { }
