package dev.berth.core.placement;

import dev.berth.core.error.InvalidSpecException;
import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;

/**
 * A node as placement sees it: the node and what its current instances already take.
 *
 * @param node                the node
 * @param allocated           sum of the placed instances' accounted resources
 * @param instanceCount       how many live instances it holds
 * @param tenantInstanceCount how many of them belong to the tenant being placed
 * @param allocatable         {@code node.allocatable()}, computed once when the candidate is made: a decision
 *                            reads it for every node, and computing it there is most of a decision's arithmetic
 */
public record NodeCandidate(Node node, Capacity allocated, int instanceCount, int tenantInstanceCount,
                            Capacity allocatable) {

    public NodeCandidate {
        if (node == null) throw new InvalidSpecException("node", "is required");
        if (allocated == null) throw new InvalidSpecException("allocated", "is required");
        if (allocatable == null || !allocatable.equals(node.allocatable())) {
            throw new InvalidSpecException("allocatable", "must be node.allocatable()");
        }
    }

    /** A candidate; its allocatable capacity is computed from the node. */
    public NodeCandidate(Node node, Capacity allocated, int instanceCount, int tenantInstanceCount) {
        this(node, allocated, instanceCount, tenantInstanceCount, node.allocatable());
    }

    /** What is left to allocate. */
    public Capacity free() {
        return allocatable.minus(allocated);
    }
}
