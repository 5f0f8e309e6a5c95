package dev.berth.core.node;

import dev.berth.spi.error.InvalidSpecException;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A placement target: a Docker host, a Proxmox node, a K3s node or cluster.
 *
 * @param id            Berth's id, lower-case letters, digits and dashes
 * @param providerKind  the provider that manages it ("docker", "proxmox-lxc", "k3s", "memory")
 * @param target        the provider's name for it (Proxmox node name, Docker host id)
 * @param labels        region, tier, "dedicated" …; used by placement filters
 * @param capacity      physical size
 * @param overcommit    allowed overcommit per resource
 * @param reservedFraction share of the capacity kept free for failover (0 to 0.9)
 * @param publicAddress address DNS records of its instances point at, or null
 * @param status        whether it takes placements
 */
public record Node(String id, String providerKind, String target, Map<String, String> labels, Capacity capacity,
                   Overcommit overcommit, double reservedFraction, String publicAddress, NodeStatus status) {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    public Node {
        if (id == null || !ID.matcher(id).matches()) {
            throw new InvalidSpecException("id", "must be 1-63 lower-case letters, digits or dashes");
        }
        if (providerKind == null || providerKind.isBlank()) {
            throw new InvalidSpecException("providerKind", "must not be blank");
        }
        if (capacity == null) {
            throw new InvalidSpecException("capacity", "is required");
        }
        if (!(reservedFraction >= 0 && reservedFraction <= 0.9)) {
            throw new InvalidSpecException("reservedFraction", "must be between 0 and 0.9");
        }
        target = target == null || target.isBlank() ? id : target;
        if (labels != null) {
            for (Map.Entry<String, String> l : labels.entrySet()) {
                if (l.getKey() == null || l.getKey().isBlank() || l.getValue() == null || l.getValue().isBlank() || l.getKey().length() > 63
                        || l.getValue().length() > 63) {
                    throw new InvalidSpecException("labels", "label names and values must be 1-63 characters ('" + l.getKey() + "')");
                }
            }
        }
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        overcommit = Objects.requireNonNullElse(overcommit, Overcommit.NONE);
        status = Objects.requireNonNullElse(status, NodeStatus.ONLINE);
    }

    /** What may be allocated on this node: capacity × overcommit, less the reserved headroom. */
    public Capacity allocatable() {
        double keep = 1 - reservedFraction;
        return new Capacity((long) (capacity.cpuMillis() * overcommit.cpu() * keep),
                (long) (capacity.memoryBytes() * overcommit.memory() * keep),
                (long) (capacity.diskBytes() * overcommit.disk() * keep));
    }

    public Node withStatus(NodeStatus newStatus) {
        return new Node(id, providerKind, target, labels, capacity, overcommit, reservedFraction, publicAddress, newStatus);
    }
}
