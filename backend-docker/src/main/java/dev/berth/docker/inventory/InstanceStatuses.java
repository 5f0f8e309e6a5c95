package dev.berth.docker.inventory;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import dev.berth.docker.create.PlanVolumes;
import dev.berth.docker.create.ResourceSplit;
import dev.berth.docker.host.DockerErrors;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.host.DockerLabels;
import dev.berth.docker.locate.InstanceContainers;
import dev.berth.docker.locate.InstanceLocator;
import dev.berth.docker.locate.Located;
import dev.berth.docker.network.TenantNetworks;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an instance's status from its containers alone: state from how many run, endpoint from the HTTP
 * component's address in the instance network, limits read back from the containers' host configs and the
 * plan volume. Also lists every instance Berth manages on the hosts (the reconciler's inventory).
 */
public final class InstanceStatuses {

    private final InstanceLocator locator;
    private final TenantNetworks networks;
    private final PlanVolumes plans;

    /** Statuses of the instances the locator finds. */
    public InstanceStatuses(InstanceLocator locator, TenantNetworks networks, PlanVolumes plans) {
        this.locator = locator;
        this.networks = networks;
        this.plans = plans;
    }

    /** The status of the instance wherever it is. */
    public InstanceStatus status(String instanceId) {
        return status(locator.require(instanceId));
    }

    /** The status of the instance on one host. */
    public InstanceStatus status(DockerHost host, String instanceId) {
        List<Container> containers = InstanceContainers.canonical(host.containers(DockerLabels.instance(instanceId)));
        if (containers.isEmpty()) {
            throw new NotFoundException("instance", instanceId);
        }
        return status(new Located(host, containers));
    }

    private InstanceStatus status(Located at) {
        return statusOf(at.host(), at.inspectAll(), -1);
    }

    /** Every instance Berth manages on the hosts; one that is on two hosts is listed once. */
    public List<InstanceStatus> inventory() {
        Map<String, InstanceStatus> result = new LinkedHashMap<>();
        for (DockerHost host : locator.hosts()) {
            Map<String, List<Container>> byInstance = new LinkedHashMap<>();
            for (Container c : InstanceContainers.canonical(host.containers(DockerLabels.managed()))) {
                byInstance.computeIfAbsent(c.getLabels().get(DockerLabels.INSTANCE), k -> new ArrayList<>()).add(c);
            }
            Map<String, Long> disks = plans.planDisks(host);
            for (var e : byInstance.entrySet()) {
                try {
                    result.putIfAbsent(e.getKey(), statusOf(host, new Located(host, e.getValue()).inspectAll(),
                            disks.getOrDefault(e.getKey(), -1L)));
                } catch (DockerErrors.MissingObjectException removedMeanwhile) {
                    // removed while we looked: not part of the inventory
                }
            }
        }
        return List.copyOf(result.values());
    }

    /**
     * The status of an instance from its (canonical) containers, inspected; {@code diskBytes} when the caller
     * just recorded it, -1 to read it from the plan volume.
     */
    public InstanceStatus statusOf(DockerHost host, List<InspectContainerResponse> inspected, long diskBytes) {
        List<InspectContainerResponse> containers = new ArrayList<>(inspected);
        containers.sort(Comparator.comparingInt(c -> Integer.parseInt(DockerLabels.read(c, DockerLabels.COMPONENT_INDEX, "0"))));
        InspectContainerResponse first = containers.get(0);
        String instanceId = DockerLabels.read(first, DockerLabels.INSTANCE, null);
        int expected = Integer.parseInt(DockerLabels.read(first, DockerLabels.COMPONENT_COUNT, "1"));
        int running = 0;
        boolean restarting = false;
        String endpoint = null;
        for (InspectContainerResponse c : containers) {
            if (Boolean.TRUE.equals(c.getState().getRunning())) running++;
            if (Boolean.TRUE.equals(c.getState().getRestarting())) restarting = true;
            if (Boolean.parseBoolean(DockerLabels.read(c, DockerLabels.HTTP, "false"))) {
                String ports = DockerLabels.read(c, DockerLabels.PORTS, "");
                Optional<String> ip = TenantNetworks.address(c, networks.networkName(DockerLabels.read(c, DockerLabels.SLUG, "")));
                if (ip.isPresent() && !ports.isBlank()) {
                    endpoint = ip.get() + ":" + ports.split(",")[0].substring(ports.split(",")[0].lastIndexOf(':') + 1);
                }
            }
        }
        RuntimeState state;
        if (running == 0 && !restarting) {
            state = RuntimeState.STOPPED;
        } else if (running == expected && containers.size() == expected && !restarting) {
            state = RuntimeState.RUNNING;
        } else {
            state = RuntimeState.DEGRADED;
        }
        ResourceLimits limits;
        try {
            limits = ResourceSplit.readBack(containers.stream().map(InspectContainerResponse::getHostConfig).toList(),
                    diskBytes >= 0 ? diskBytes
                            : plans.diskBytes(host, instanceId, Long.parseLong(DockerLabels.read(first, DockerLabels.DISK_BYTES, "0"))));
        } catch (InvalidSpecException notOurs) {
            limits = null; // a container without limits was not created by this provider
        }
        return new InstanceStatus(instanceId, host.name(), state, DockerLabels.read(first, DockerLabels.VERSION, null), limits, endpoint);
    }
}
