package dev.berth.proxmox.capacity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.proxmox.client.ProxmoxClient;
import dev.berth.spi.NodeCapacity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Capacity and usage of the cluster's nodes from one {@code /cluster/resources} call: online nodes only (an
 * offline node can take nothing), with the disk of the root-disk storage rather than the node's own disk,
 * because that is where containers are created.
 */
public final class NodeCapacities {

    private final ProxmoxClient client;
    private final String rootfsStorage;

    /**
     * @param client        the API client
     * @param rootfsStorage the storage of container root disks
     */
    public NodeCapacities(ProxmoxClient client, String rootfsStorage) {
        this.client = client;
        this.rootfsStorage = rootfsStorage;
    }

    /** One entry per online node; CPU in millicores (used CPU is the load fraction times the cores). */
    public List<NodeCapacity> nodes() {
        JsonNode all = client.get("cluster/resources", Map.of());
        Map<String, JsonNode> storage = new LinkedHashMap<>();
        for (JsonNode r : all) {
            if ("storage".equals(r.path("type").asText()) && rootfsStorage.equals(r.path("storage").asText())) {
                storage.put(r.path("node").asText(), r);
            }
        }
        List<NodeCapacity> out = new ArrayList<>();
        for (JsonNode r : all) {
            if (!"node".equals(r.path("type").asText()) || !"online".equals(r.path("status").asText())) {
                continue;
            }
            String node = r.path("node").asText();
            long cpus = r.path("maxcpu").asLong();
            JsonNode st = storage.get(node);
            long disk = st != null ? st.path("maxdisk").asLong() : r.path("maxdisk").asLong();
            long usedDisk = st != null ? st.path("disk").asLong() : r.path("disk").asLong();
            out.add(new NodeCapacity(node, cpus * 1000, r.path("maxmem").asLong(), disk,
                    Math.round(r.path("cpu").asDouble() * cpus * 1000), r.path("mem").asLong(), usedDisk));
        }
        return out;
    }
}
