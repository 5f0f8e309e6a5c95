package dev.berth.docker.upgrade;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.model.Container;
import dev.berth.docker.create.ComponentFailedException;
import dev.berth.docker.create.ContainerFactory;
import dev.berth.docker.create.DataVolumes;
import dev.berth.docker.create.InstanceSpec;
import dev.berth.docker.create.NotReadyException;
import dev.berth.docker.create.PlanVolumes;
import dev.berth.docker.create.ReadinessGate;
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
import dev.berth.spi.error.BerthException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * Moves an instance to a new app version on the same volumes. The old containers are kept, stopped and renamed
 * ({@link InstanceContainers#ROLLBACK_SUFFIX}), until the new version is ready; when it is not, the new
 * containers go and the old ones come back under their names. A crash half-way is undone the same way by the
 * next verb on the instance ({@link InstanceContainers#recoverInterruptedUpgrade}).
 */
public final class Upgrade {

    private static final Logger log = LoggerFactory.getLogger(Upgrade.class);

    private final InstanceLocator locator;
    private final TenantNetworks networks;
    private final ContainerFactory containers;
    private final DataVolumes volumes;
    private final PlanVolumes plans;
    private final ReadinessGate readiness;
    private final InstanceStatuses statuses;

    /** Upgrades over the provider's shared parts. */
    public Upgrade(InstanceLocator locator, TenantNetworks networks, ContainerFactory containers, DataVolumes volumes,
                   PlanVolumes plans, ReadinessGate readiness, InstanceStatuses statuses) {
        this.locator = locator;
        this.networks = networks;
        this.containers = containers;
        this.volumes = volumes;
        this.plans = plans;
        this.readiness = readiness;
        this.statuses = statuses;
    }

    /** Upgrades the instance to the request's version and components; does nothing when it is on them. */
    public InstanceStatus upgrade(ProvisionRequest request) {
        Objects.requireNonNull(request, "request");
        InstanceSpec spec = InstanceSpec.of(request);
        DockerHost host = locator.require(spec.instanceId()).host();
        InstanceContainers.recoverInterruptedUpgrade(host, spec.instanceId());
        List<InspectContainerResponse> current = new Located(host,
                InstanceContainers.canonical(host.containers(DockerLabels.instance(spec.instanceId())))).inspectAll();
        if (current.stream().allMatch(c -> spec.appVersion().equals(DockerLabels.read(c, DockerLabels.VERSION, null)))
                && current.size() == spec.components().size()) {
            return statuses.status(host, spec.instanceId()); // already on this version
        }
        boolean wasRunning = current.stream().anyMatch(c -> Boolean.TRUE.equals(c.getState().getRunning()));
        String oldVersion = DockerLabels.read(current.get(0), DockerLabels.VERSION, "?");
        for (ComponentSpec c : spec.components()) {
            containers.ensureImage(host, c.image(), null);
        }
        // retire the old containers under another name: they come back untouched if the new version is not ready
        for (InspectContainerResponse c : current) {
            host.stop(c.getId());
            host.rename(c.getId(), c.getName().replaceFirst("^/", "") + InstanceContainers.ROLLBACK_SUFFIX);
        }
        String network = networks.ensureNetwork(host, spec.instanceId(), spec.slug(), false);
        List<InspectVolumeResponse> existing = host.volumes(DockerLabels.instance(spec.instanceId()));
        plans.recordDisk(host, spec, existing);
        try {
            for (int i = 0; i < spec.components().size(); i++) {
                String id = containers.create(host, spec, i, network,
                        volumes.ensureVolumes(host, spec, spec.components().get(i), 0, existing), false);
                if (wasRunning) host.start(id);
            }
            if (wasRunning) readiness.awaitReady(host, spec.instanceId());
        } catch (RuntimeException e) {
            log.warn("upgrade of instance {} to {} failed, rolling back to {}: {}", spec.instanceId(), spec.appVersion(), oldVersion, e.getMessage());
            InstanceContainers.recoverInterruptedUpgrade(host, spec.instanceId());
            if (wasRunning) {
                for (Container c : InstanceContainers.canonical(host.containers(DockerLabels.instance(spec.instanceId())))) {
                    host.start(c.getId());
                }
            }
            if (e instanceof NotReadyException || e instanceof ComponentFailedException) {
                throw new BerthException("upgrade of instance " + spec.instanceId() + " to " + spec.appVersion()
                        + " was rolled back to " + oldVersion + ": " + e.getMessage(), false, e);
            }
            throw e;
        }
        for (Container c : InstanceContainers.rollbacks(host.containers(DockerLabels.instance(spec.instanceId())))) {
            host.remove(c.getId());
        }
        return statuses.status(host, spec.instanceId());
    }
}
