package dev.berth.docker.lifecycle;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.model.Container;
import dev.berth.docker.create.ContainerFactory;
import dev.berth.docker.create.DataVolumes;
import dev.berth.docker.create.InstanceSpec;
import dev.berth.docker.create.PlanVolumes;
import dev.berth.docker.create.ReadinessGate;
import dev.berth.docker.create.ResourceSplit;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.host.DockerLabels;
import dev.berth.docker.inventory.InstanceStatuses;
import dev.berth.docker.locate.InstanceContainers;
import dev.berth.docker.locate.InstanceLocator;
import dev.berth.docker.locate.Located;
import dev.berth.docker.network.TenantNetworks;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.error.InvalidSpecException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The everyday verbs on an instance's containers: provision (create or converge), suspend, resume, plan change
 * and terminate. Provision and resume return once every component passes its readiness probe.
 */
public final class InstanceLifecycle {

    private final InstanceLocator locator;
    private final TenantNetworks networks;
    private final ContainerFactory containers;
    private final DataVolumes volumes;
    private final PlanVolumes plans;
    private final ReadinessGate readiness;
    private final InstanceStatuses statuses;

    /** The verbs, over the provider's shared parts. */
    public InstanceLifecycle(InstanceLocator locator, TenantNetworks networks, ContainerFactory containers, DataVolumes volumes,
                             PlanVolumes plans, ReadinessGate readiness, InstanceStatuses statuses) {
        this.locator = locator;
        this.networks = networks;
        this.containers = containers;
        this.volumes = volumes;
        this.plans = plans;
        this.readiness = readiness;
        this.statuses = statuses;
    }

    /** Creates the instance on the request's node, or converges it where it already is. */
    public InstanceStatus provision(ProvisionRequest request) {
        Objects.requireNonNull(request, "request");
        InstanceSpec spec = InstanceSpec.of(request);
        DockerHost target = locator.host(request.node().target());
        // an instance converges where it already is: moving it is migrate's job
        Optional<Located> found = locator.locate(spec.instanceId());
        return found.isPresent() ? converge(found.get().host(), spec) : createNew(target, spec);
    }

    /**
     * The common case: no container of the instance exists. Every object is created by name, so what a failed
     * earlier attempt left (network, volumes) is found and reused instead of duplicated.
     */
    private InstanceStatus createNew(DockerHost host, InstanceSpec spec) {
        String network = networks.ensureNetwork(host, spec.instanceId(), spec.slug(), true);
        List<InspectVolumeResponse> existing = host.volumes(DockerLabels.instance(spec.instanceId()));
        plans.recordDisk(host, spec, existing);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < spec.components().size(); i++) {
            ids.add(containers.create(host, spec, i, network,
                    volumes.ensureVolumes(host, spec, spec.components().get(i), 0, existing), false));
        }
        ids.forEach(host::start);
        return statuses.statusOf(host, readiness.awaitReady(host, ids), spec.resources().diskBytes());
    }

    /** The instance exists (partly): create what is missing, re-apply limits, start what is stopped. */
    private InstanceStatus converge(DockerHost host, InstanceSpec spec) {
        InstanceContainers.recoverInterruptedUpgrade(host, spec.instanceId());
        String network = networks.ensureNetwork(host, spec.instanceId(), spec.slug(), false);
        List<InspectVolumeResponse> existingVolumes = host.volumes(DockerLabels.instance(spec.instanceId()));
        plans.recordDisk(host, spec, existingVolumes);
        List<Container> existing = InstanceContainers.canonical(host.containers(DockerLabels.instance(spec.instanceId())));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < spec.components().size(); i++) {
            ComponentSpec c = spec.components().get(i);
            Optional<Container> found = existing.stream().filter(x -> c.name().equals(x.getLabels().get(DockerLabels.COMPONENT))).findFirst();
            String id;
            if (found.isPresent()) {
                id = found.get().getId();
                containers.applyLimits(host, id, ResourceSplit.of(spec.resources(), i, spec.components().size()));
            } else {
                id = containers.create(host, spec, i, network, volumes.ensureVolumes(host, spec, c, 0, existingVolumes), false);
            }
            host.start(id);
            ids.add(id);
        }
        return statuses.statusOf(host, readiness.awaitReady(host, ids), spec.resources().diskBytes());
    }

    /** Stops every container of the instance; volumes and network stay. */
    public void suspend(String instanceId) {
        Located at = locator.require(instanceId);
        for (Container c : at.containers()) {
            at.host().stop(c.getId());
        }
    }

    /** Starts every container of the instance and waits until it is ready. */
    public void resume(String instanceId) {
        Located at = locator.require(instanceId);
        for (Container c : at.containers()) {
            at.host().start(c.getId());
        }
        readiness.awaitReady(at.host(), instanceId);
    }

    /** Applies new limits to the live containers (no restart) and records the new disk size. */
    public InstanceStatus changePlan(String instanceId, ResourceLimits limits) {
        if (limits == null) {
            throw new InvalidSpecException("limits", "is required");
        }
        Located at = locator.require(instanceId);
        List<InspectContainerResponse> inspected = at.inspectAll();
        int n = inspected.size();
        for (int i = 0; i < n; i++) {
            containers.applyLimits(at.host(), inspected.get(i).getId(), ResourceSplit.of(limits, i, n));
        }
        plans.recordDisk(at.host(), InstanceSpec.fromContainers(inspected).withResources(limits));
        return statuses.status(at.host(), instanceId);
    }

    /** Removes the instance's containers, volumes and network from every host. */
    public void terminate(String instanceId) {
        for (DockerHost host : locator.hosts()) {
            locator.wipe(host, instanceId);
        }
    }
}
