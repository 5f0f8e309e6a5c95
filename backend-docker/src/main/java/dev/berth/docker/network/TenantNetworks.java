package dev.berth.docker.network;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Network;
import dev.berth.docker.DockerSettings;
import dev.berth.docker.host.DockerErrors;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.host.DockerLabels;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InsufficientCapacityException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The networks of Berth's tenants: one private bridge network {@code <prefix>-<slug>} per instance, in which
 * its components reach each other by component name, and the shared proxy network that HTTP components join so
 * that the reverse proxy reaches them. Thread-safe.
 */
public final class TenantNetworks {

    private final DockerSettings settings;
    /** Hosts whose proxy network is known to exist: saves a list call on every HTTP component created. */
    private final Set<String> proxyNetworkReady = ConcurrentHashMap.newKeySet();

    /** Networks named and configured by {@code settings}. */
    public TenantNetworks(DockerSettings settings) {
        this.settings = settings;
    }

    /** The name of the network of the instance with this slug. */
    public String networkName(String slug) {
        return settings.namePrefix() + "-" + slug;
    }

    /** The address of a container in {@code network}, empty while it has none (not started, restarting). */
    public static Optional<String> address(InspectContainerResponse c, String network) {
        if (c.getNetworkSettings() == null || c.getNetworkSettings().getNetworks() == null) return Optional.empty();
        ContainerNetwork n = c.getNetworkSettings().getNetworks().get(network);
        return n == null || n.getIpAddress() == null || n.getIpAddress().isBlank() ? Optional.empty() : Optional.of(n.getIpAddress());
    }

    /**
     * The instance's network, created when missing. {@code likelyNew}: try to create it first (one call instead
     * of two for a new instance); a name conflict then means it exists and is looked up.
     */
    public String ensureNetwork(DockerHost host, String instanceId, String slug, boolean likelyNew) {
        Map<String, String> labels = DockerLabels.instance(instanceId);
        if (!likelyNew) {
            List<Network> found = host.networks(labels);
            if (!found.isEmpty()) {
                return found.get(0).getName();
            }
        }
        String name = networkName(slug);
        try {
            DockerErrors.run(host.name(), "create network " + name, () -> host.client().createNetworkCmd()
                    .withName(name).withDriver("bridge").withCheckDuplicate(true).withLabels(labels).exec());
        } catch (DockerErrors.MissingObjectException noPool) {
            // Docker answers 404 when its address pools are used up (about 30 networks with the defaults)
            throw new InsufficientCapacityException("Docker host '" + host.name() + "' has no free address pool for the network of instance "
                    + instanceId + "; give the daemon larger default-address-pools (" + noPool.getMessage().strip() + ")");
        } catch (ConflictException exists) {
            List<Network> found = host.networks(labels);
            if (found.isEmpty()) throw exists; // the name belongs to something that is not this instance's
            return found.get(0).getName();
        }
        return name;
    }

    /** Connects an HTTP component's container to the configured proxy network, creating the network if needed. */
    public void joinProxyNetwork(DockerHost host, String containerId) {
        ensureProxyNetwork(host);
        try {
            host.connectNetwork(settings.proxyNetwork(), containerId);
        } catch (DockerErrors.MissingObjectException gone) {
            proxyNetworkReady.remove(host.name()); // removed by hand: the retry creates it again
            throw gone;
        }
    }

    /**
     * Uses the operator's proxy network when it exists. Otherwise creates it with inter-container traffic
     * disabled: every tenant's HTTP component joins it, and with ICC off they cannot reach each other through
     * it, while a proxy on the host network (Traefik with {@code network_mode: host}) still reaches them all.
     */
    private void ensureProxyNetwork(DockerHost host) {
        if (proxyNetworkReady.contains(host.name())) return;
        String name = settings.proxyNetwork();
        boolean exists = DockerErrors.call(host.name(), "list networks", () ->
                host.client().listNetworksCmd().withNameFilter(name).exec().stream().anyMatch(n -> name.equals(n.getName())));
        if (!exists) {
            try {
                DockerErrors.run(host.name(), "create proxy network " + name, () -> host.client().createNetworkCmd()
                        .withName(name).withDriver("bridge").withCheckDuplicate(true)
                        .withOptions(Map.of("com.docker.network.bridge.enable_icc", "false"))
                        .withLabels(Map.of(DockerLabels.MANAGED, "true", DockerLabels.ROLE, DockerLabels.ROLE_PROXY)).exec());
            } catch (ConflictException raced) {
                // created concurrently by another provision: fine
            }
        }
        proxyNetworkReady.add(host.name());
    }
}
