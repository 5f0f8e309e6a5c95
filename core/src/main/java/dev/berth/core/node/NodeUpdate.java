package dev.berth.core.node;

import java.util.Map;

/**
 * A change to a registered node; null fields are left as they are.
 *
 * @param labels           new labels (replace the old ones)
 * @param capacity         new physical size
 * @param overcommit       new overcommit ratios
 * @param reservedFraction new reserved headroom (0 to 0.9)
 * @param publicAddress    new public address
 */
public record NodeUpdate(Map<String, String> labels, Capacity capacity, Overcommit overcommit, Double reservedFraction,
                         String publicAddress) {

    /** Nothing changed; combine with the {@code with…} methods. */
    public static NodeUpdate none() {
        return new NodeUpdate(null, null, null, null, null);
    }

    public NodeUpdate withLabels(Map<String, String> newLabels) {
        return new NodeUpdate(newLabels, capacity, overcommit, reservedFraction, publicAddress);
    }

    public NodeUpdate withCapacity(Capacity newCapacity) {
        return new NodeUpdate(labels, newCapacity, overcommit, reservedFraction, publicAddress);
    }

    public NodeUpdate withOvercommit(Overcommit newOvercommit) {
        return new NodeUpdate(labels, capacity, newOvercommit, reservedFraction, publicAddress);
    }

    public NodeUpdate withReservedFraction(double newReserved) {
        return new NodeUpdate(labels, capacity, overcommit, newReserved, publicAddress);
    }

    public NodeUpdate withPublicAddress(String newAddress) {
        return new NodeUpdate(labels, capacity, overcommit, reservedFraction, newAddress);
    }

    /** {@code node} with this update applied; the node's own validation names any bad field. */
    Node applyTo(Node node) {
        return new Node(node.id(), node.providerKind(), node.target(), labels == null ? node.labels() : labels,
                capacity == null ? node.capacity() : capacity, overcommit == null ? node.overcommit() : overcommit,
                reservedFraction == null ? node.reservedFraction() : reservedFraction,
                publicAddress == null ? node.publicAddress() : publicAddress, node.status());
    }
}
