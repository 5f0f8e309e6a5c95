package dev.berth.docker.create;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import dev.berth.docker.DockerSettings;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.host.DockerLabels;
import dev.berth.docker.locate.InstanceContainers;
import dev.berth.docker.network.TenantNetworks;
import dev.berth.spi.ComponentSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds provision, resume, upgrade and restore until the instance's components answer: each container whose
 * {@link DockerLabels#READINESS} label names a probe must pass it ({@link ReadinessProbe}) within the probe's
 * timeout, else the configured one.
 */
public final class ReadinessGate {

    private final DockerSettings settings;
    private final TenantNetworks networks;
    private final ReadinessProbe probe = new ReadinessProbe();

    /** A gate probing containers in their {@code networks}, with the configured default timeout. */
    public ReadinessGate(DockerSettings settings, TenantNetworks networks) {
        this.settings = settings;
        this.networks = networks;
    }

    /** Waits until every component of the instance with a readiness probe passes it. */
    public void awaitReady(DockerHost host, String instanceId) {
        awaitReady(host, InstanceContainers.canonical(host.containers(DockerLabels.instance(instanceId))).stream()
                .map(Container::getId).toList());
    }

    /**
     * Waits until every one of these containers that has a readiness probe passes it; returns them inspected
     * after they are ready (for the status).
     *
     * @throws NotReadyException        when one does not pass in time
     * @throws ComponentFailedException when one exits, keeps restarting or is killed for lack of memory meanwhile
     */
    public List<InspectContainerResponse> awaitReady(DockerHost host, List<String> containerIds) {
        List<InspectContainerResponse> ready = new ArrayList<>();
        // every container is watched while any one is awaited: an app waiting for its crashed database fails fast
        CrashWatch crashes = new CrashWatch(host, containerIds);
        for (String id : containerIds) {
            InspectContainerResponse c = host.inspect(id);
            ComponentSpec.Readiness r = InstanceSpec.readiness(DockerLabels.read(c, DockerLabels.READINESS, ""));
            if (r != null) {
                String network = networks.networkName(DockerLabels.read(c, DockerLabels.SLUG, ""));
                String what = "component " + DockerLabels.read(c, DockerLabels.COMPONENT, "?") + " of instance "
                        + DockerLabels.read(c, DockerLabels.INSTANCE, "?");
                // the address is known once the container started; look again only while it has none (restarting)
                AtomicReference<Optional<String>> known = new AtomicReference<>(TenantNetworks.address(c, network));
                probe.await(what, r, () -> known.get().isPresent() ? known.get()
                                : known.updateAndGet(k -> TenantNetworks.address(host.inspect(id), network)),
                        r.timeout() == null ? settings.readinessTimeout() : r.timeout(), crashes::check);
                c = host.inspect(id);
            }
            ready.add(c);
        }
        return ready;
    }
}
