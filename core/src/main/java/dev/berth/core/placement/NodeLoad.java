package dev.berth.core.placement;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;

import java.util.HashMap;
import java.util.Map;

/**
 * A node and everything placed on it, for decisions that place several instances in a row (a migration plan):
 * unlike {@link NodeCandidate}, which is seen by one tenant, it keeps the count per tenant so that each placement
 * can be seen by its own tenant, and {@link #plus} records a planned placement.
 *
 * @param node          the node
 * @param allocated     resources its instances take
 * @param instanceCount live instances on it
 * @param tenantCounts  tenant id → how many of those instances are the tenant's
 */
public record NodeLoad(Node node, Capacity allocated, int instanceCount, Map<String, Integer> tenantCounts) {

    public NodeLoad {
        tenantCounts = Map.copyOf(tenantCounts);
    }

    /** An empty node. */
    public static NodeLoad empty(Node node) {
        return new NodeLoad(node, Capacity.ZERO, 0, Map.of());
    }

    /** The node as one tenant's placement sees it. */
    public NodeCandidate candidate(String tenantId) {
        return new NodeCandidate(node, allocated, instanceCount, tenantId == null ? 0 : tenantCounts.getOrDefault(tenantId, 0));
    }

    /** The node with one more instance of {@code tenantId} taking {@code demand}. */
    public NodeLoad plus(String tenantId, Capacity demand) {
        Map<String, Integer> counts = new HashMap<>(tenantCounts);
        if (tenantId != null) counts.merge(tenantId, 1, Integer::sum);
        return new NodeLoad(node, allocated.plus(demand), instanceCount + 1, counts);
    }
}
