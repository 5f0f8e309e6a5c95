package dev.berth.testkit.memory;

import dev.berth.core.node.Capacity;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.error.InsufficientCapacityException;
import dev.berth.spi.error.InvalidSpecException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link InMemoryProvider}'s targets and their capacity: what a request may name, whether an instance fits,
 * and what each target reports as used. Callers hold the provider's lock while they pass its instances in.
 */
final class MemoryTargets {

    private final Map<String, Capacity> capacities;

    MemoryTargets(Map<String, Capacity> capacities) {
        this.capacities = Collections.unmodifiableMap(new LinkedHashMap<>(capacities));
    }

    Map<String, Capacity> capacities() {
        return capacities;
    }

    boolean contains(String target) {
        return target != null && capacities.containsKey(target);
    }

    void validate(ProvisionRequest request) {
        if (request.instanceId() == null || request.instanceId().isBlank()) {
            throw new InvalidSpecException("instanceId", "must not be blank");
        }
        if (request.resources() == null) {
            throw new InvalidSpecException("resources", "is required");
        }
        if (request.node() == null) {
            throw new InvalidSpecException("node", "is required");
        }
        if (request.node().target() == null || !contains(request.node().target())) {
            throw new InvalidSpecException("node.target", "unknown target '" + request.node().target() + "'");
        }
    }

    /** Used CPU and memory count running instances' requests; used disk counts every instance. */
    List<NodeCapacity> usage(Collection<HeldInstance> instances) {
        List<NodeCapacity> result = new ArrayList<>();
        capacities.forEach((name, cap) -> {
            long cpu = 0;
            long mem = 0;
            long disk = 0;
            for (HeldInstance h : instances) {
                if (h.target.equals(name)) {
                    disk += h.limits.diskBytes();
                    if (h.state == RuntimeState.RUNNING) {
                        cpu += h.limits.cpuRequestMillis();
                        mem += h.limits.memoryRequestBytes();
                    }
                }
            }
            result.add(new NodeCapacity(name, cap.cpuMillis(), cap.memoryBytes(), cap.diskBytes(), cpu, mem, disk));
        });
        return result;
    }

    void ensureFits(String target, ResourceLimits limits, String excludingId, Collection<HeldInstance> instances) {
        Capacity cap = capacities.get(target);
        long cpu = limits.cpuRequestMillis();
        long mem = limits.memoryRequestBytes();
        long disk = limits.diskBytes();
        for (HeldInstance h : instances) {
            if (h.target.equals(target) && !h.id.equals(excludingId)) {
                cpu += h.limits.cpuRequestMillis();
                mem += h.limits.memoryRequestBytes();
                disk += h.limits.diskBytes();
            }
        }
        if (cpu > cap.cpuMillis() || mem > cap.memoryBytes() || disk > cap.diskBytes()) {
            throw new InsufficientCapacityException("target '" + target + "' has no room: would need "
                    + cpu + "m CPU, " + mem + " B memory, " + disk + " B disk of " + cap);
        }
    }
}
