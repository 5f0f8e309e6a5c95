package dev.berth.spi;

import java.util.Map;

/**
 * The node an instance is placed on, as a provider sees it: Berth's node id, the provider's own name for the
 * target (a Docker host, a Proxmox node name, a K3s node) and the node's labels.
 */
public record NodeRef(String nodeId, String target, Map<String, String> labels) {
    public NodeRef {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
