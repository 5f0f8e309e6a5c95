package dev.berth.core.placement;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;

/**
 * A node as placement sees it: the node and what its current instances already take.
 *
 * @param node          the node
 * @param allocated     sum of the placed instances' accounted resources
 * @param instanceCount how many live instances it holds
 * @param tenantInstanceCount how many of them belong to the tenant being placed
 */
public record NodeCandidate(Node node, Capacity allocated, int instanceCount, int tenantInstanceCount) {

    /** What is left to allocate. */
    public Capacity free() {
        return node.allocatable().minus(allocated);
    }
}
