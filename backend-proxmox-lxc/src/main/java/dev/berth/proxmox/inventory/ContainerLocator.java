package dev.berth.proxmox.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.proxmox.client.ProxmoxClient;
import dev.berth.proxmox.container.BerthTags;
import dev.berth.proxmox.container.Located;
import dev.berth.proxmox.network.Net0;
import dev.berth.spi.error.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds containers cluster-wide in {@code /cluster/resources}: an instance's container by its tag (so any Berth
 * process can take over, and a container migrated by someone else is still found), the VM ids and pool
 * addresses in use, and the online nodes.
 */
public final class ContainerLocator {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerLocator.class);

    private final ProxmoxClient client;
    private final ContainerApi containers;

    /**
     * @param client     the API client
     * @param containers reads the configs of containers without an address tag
     */
    public ContainerLocator(ProxmoxClient client, ContainerApi containers) {
        this.client = client;
        this.containers = containers;
    }

    /** The instance's container anywhere in the cluster, found by its tag. */
    public Optional<Located> locate(String instanceId) {
        if (!BerthTags.usable(instanceId)) {
            return Optional.empty();
        }
        for (JsonNode r : vms()) {
            if (BerthTags.instanceId(r.path("tags").asText("")).filter(instanceId::equals).isPresent()) {
                return Optional.of(new Located(r.path("node").asText(), r.path("vmid").asInt(), instanceId));
            }
        }
        return Optional.empty();
    }

    /** As {@link #locate}, failing with {@link NotFoundException} when the instance has no container. */
    public Located require(String instanceId) {
        return locate(instanceId).orElseThrow(() -> new NotFoundException("instance", instanceId));
    }

    /** Every guest of the cluster ({@code /cluster/resources?type=vm}: containers and VMs). */
    public JsonNode vms() {
        return client.get("cluster/resources", Map.of("type", "vm"));
    }

    /** VM ids in use by any guest. */
    public Set<Integer> usedVmids() {
        Set<Integer> used = new HashSet<>();
        for (JsonNode r : vms()) {
            used.add(r.path("vmid").asInt());
        }
        return used;
    }

    /** Pool addresses in use: from Berth's address tags, and from the configs of other containers on online nodes. */
    public Set<String> usedAddresses() {
        Set<String> used = new HashSet<>();
        Set<String> online = onlineNodes();
        for (JsonNode r : vms()) {
            var tagged = BerthTags.addresses(r.path("tags").asText(""));
            used.addAll(tagged);
            if (!tagged.isEmpty() || !"lxc".equals(r.path("type").asText())) {
                continue;
            }
            if (!online.contains(r.path("node").asText())) {
                LOG.warn("cannot read the address of CT {} on offline node {}", r.path("vmid").asInt(), r.path("node").asText());
                continue;
            }
            try {
                Net0.staticAddress(containers.config(new Located(r.path("node").asText(), r.path("vmid").asInt()))
                        .path("net0").asText("")).ifPresent(used::add);
            } catch (NotFoundException gone) {
                // removed meanwhile
            }
        }
        return used;
    }

    /** Names of the nodes that are online now. */
    public Set<String> onlineNodes() {
        Set<String> online = new HashSet<>();
        for (JsonNode n : client.get("cluster/resources", Map.of("type", "node"))) {
            if ("online".equals(n.path("status").asText())) {
                online.add(n.path("node").asText());
            }
        }
        return online;
    }
}
