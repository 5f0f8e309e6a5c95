package dev.berth.proxmox.lxc;

import dev.berth.core.node.Node;
import dev.berth.core.node.NodeService;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.provider.NodeCapacity;
import dev.berth.core.provider.RuntimeProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Mirrors the cluster's view of its nodes into Berth's node registry: a node the provider no longer reports
 * (Proxmox lists it {@code offline} in {@code /cluster/resources}) becomes OFFLINE, so placement stops sending
 * instances there; when it is reported again it becomes ONLINE. Nodes an operator set to DRAINING, CORDONED or
 * MAINTENANCE are left alone. Run it from a periodic job, or whenever a call failed with "unavailable".
 */
public final class NodeStatusSync {

    private static final Logger LOG = LoggerFactory.getLogger(NodeStatusSync.class);

    private NodeStatusSync() {
    }

    /** Applies the provider's node list to the registered nodes of its kind; returns the nodes changed. */
    public static List<Node> sync(RuntimeProvider provider, NodeService nodes) {
        Set<String> reported = provider.nodes().stream().map(NodeCapacity::target).collect(Collectors.toSet());
        List<Node> changed = new ArrayList<>();
        for (Node n : nodes.list()) {
            if (!n.providerKind().equals(provider.kind())) {
                continue;
            }
            boolean up = reported.contains(n.target());
            if (!up && n.status() == NodeStatus.ONLINE) {
                LOG.warn("node {} ({}) is offline in the cluster; no new placements", n.id(), n.target());
                changed.add(nodes.setStatus(n.id(), NodeStatus.OFFLINE));
            } else if (up && n.status() == NodeStatus.OFFLINE) {
                LOG.info("node {} ({}) is back online", n.id(), n.target());
                changed.add(nodes.setStatus(n.id(), NodeStatus.ONLINE));
            }
        }
        return changed;
    }
}
