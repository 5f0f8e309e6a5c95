package dev.berth.docker.locate;

import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Network;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.host.DockerLabels;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds instances on the configured hosts by Berth's labels alone (names are for humans), and removes them the
 * same way. Berth keeps no record of where an instance is: the labels on the Docker objects are the truth.
 */
public final class InstanceLocator {

    private final Map<String, DockerHost> hosts;

    /** A locator over the hosts by name (the map is kept, not copied: the provider owns the hosts). */
    public InstanceLocator(Map<String, DockerHost> hosts) {
        this.hosts = Collections.unmodifiableMap(hosts);
    }

    /** Every configured host, in configuration order. */
    public Collection<DockerHost> hosts() {
        return hosts.values();
    }

    /** The host named {@code name}, the target of a node. */
    public DockerHost host(String name) {
        DockerHost h = hosts.get(name);
        if (h == null) {
            throw new InvalidSpecException("node.target", "no Docker host named '" + name + "' is configured (have " + hosts.keySet() + ")");
        }
        return h;
    }

    /** Every host holding containers of the instance (more than one only after an interrupted migration). */
    public List<Located> locateAll(String instanceId) {
        List<Located> found = new ArrayList<>();
        if (instanceId == null) return found;
        for (DockerHost host : hosts.values()) {
            List<Container> all = host.containers(DockerLabels.instance(instanceId));
            List<Container> mine = InstanceContainers.canonical(all);
            if (!mine.isEmpty()) {
                found.add(new Located(host, mine));
            } else if (!all.isEmpty()) {
                found.add(new Located(host, all)); // only rollback copies left: still the instance
            }
        }
        return found;
    }

    /** Where the instance is; when a migration left it on two hosts, the one where it runs wins. */
    public Optional<Located> locate(String instanceId) {
        List<Located> all = locateAll(instanceId);
        return all.stream().filter(l -> l.containers().stream().anyMatch(c -> "running".equals(c.getState()))).findFirst()
                .or(() -> all.stream().findFirst());
    }

    /** As {@link #locate}, for verbs that need the instance to exist. */
    public Located require(String instanceId) {
        return locate(instanceId).orElseThrow(() -> new NotFoundException("instance", instanceId));
    }

    /** Removes every container, volume and network of the instance on one host. */
    public void wipe(DockerHost host, String instanceId) {
        Map<String, String> labels = DockerLabels.instance(instanceId);
        for (Container c : host.containers(labels)) {
            host.remove(c.getId());
        }
        for (InspectVolumeResponse v : host.volumes(labels)) {
            host.removeVolume(v.getName());
        }
        for (Network n : host.networks(labels)) {
            host.removeNetwork(n.getId());
        }
    }
}
