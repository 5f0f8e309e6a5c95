package dev.berth.proxmox.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.proxmox.container.BerthTags;
import dev.berth.proxmox.container.Located;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.error.NotFoundException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every Berth container of the cluster with its status. Containers on an offline node are listed as DEGRADED
 * without limits (their config is unreadable).
 */
public final class Inventory {

    private final ContainerLocator locator;
    private final StatusReader reader;

    /**
     * @param locator lists the guests and online nodes
     * @param reader  reads each container's status
     */
    public Inventory(ContainerLocator locator, StatusReader reader) {
        this.locator = locator;
        this.reader = reader;
    }

    /** The instances found by their tags, in {@code /cluster/resources} order. */
    public List<InstanceStatus> list() {
        List<InstanceStatus> out = new ArrayList<>();
        Set<String> onlineNodes = locator.onlineNodes();
        for (JsonNode r : locator.vms()) {
            Optional<String> id = BerthTags.instanceId(r.path("tags").asText(""));
            if (id.isEmpty() || !"lxc".equals(r.path("type").asText())) {
                continue;
            }
            Located ct = new Located(r.path("node").asText(), r.path("vmid").asInt());
            if (!onlineNodes.contains(ct.node())) {
                out.add(new InstanceStatus(id.get(), ct.node(), RuntimeState.DEGRADED, null, null, null));
                continue;
            }
            try {
                out.add(reader.read(ct, id.get()));
            } catch (NotFoundException gone) {
                // deleted between the listing and the read
            }
        }
        return out;
    }
}
