package dev.berth.core.node;

import dev.berth.spi.error.InvalidSpecException;

/** Amounts of the three resources Berth places by: CPU millicores, memory bytes, disk bytes. */
public record Capacity(long cpuMillis, long memoryBytes, long diskBytes) {

    public static final Capacity ZERO = new Capacity(0, 0, 0);

    public Capacity {
        if (cpuMillis < 0) throw new InvalidSpecException("cpuMillis", "must not be negative");
        if (memoryBytes < 0) throw new InvalidSpecException("memoryBytes", "must not be negative");
        if (diskBytes < 0) throw new InvalidSpecException("diskBytes", "must not be negative");
    }

    public Capacity plus(Capacity o) {
        return new Capacity(cpuMillis + o.cpuMillis, memoryBytes + o.memoryBytes, diskBytes + o.diskBytes);
    }

    public Capacity minus(Capacity o) {
        return new Capacity(Math.max(0, cpuMillis - o.cpuMillis), Math.max(0, memoryBytes - o.memoryBytes),
                Math.max(0, diskBytes - o.diskBytes));
    }
}
