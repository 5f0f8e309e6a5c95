package dev.berth.core.placement;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.spi.error.InvalidSpecException;

import java.util.Objects;

/**
 * A node as placement sees it: the node and what its current instances already take.
 *
 * <p>A value class rather than a record on purpose: a placement decision reads every candidate of the fleet
 * (thousands of nodes), so the numbers it needs (allocatable and allocated amounts, the node's status and provider)
 * are copied into this one object as primitives when it is made. The decision then reads one object per node instead
 * of following pointers to the node, its capacity, its overcommit and two {@link Capacity} objects — that pointer
 * chasing, not the arithmetic, was most of a decision's cost. Equality is by the four defining values.
 */
public final class NodeCandidate {

    private final Node node;
    private final Capacity allocated;
    private final int instanceCount;
    private final int tenantInstanceCount;
    private final Capacity allocatable;
    // hot-path copies, see the class comment
    final long cpuAllocatable;
    final long memoryAllocatable;
    final long diskAllocatable;
    final long cpuAllocated;
    final long memoryAllocated;
    final long diskAllocated;
    final double cpuInverse;
    final double memoryInverse;
    final double diskInverse;
    final boolean online;
    final String providerKind;
    /** The id's first 16 characters packed big-endian (ids are ASCII): orders like the id up to that length. */
    final long idHead;
    final long idTail;
    final boolean idLong;

    /**
     * @param node                the node
     * @param allocated           sum of the placed instances' accounted resources
     * @param instanceCount       how many live instances it holds
     * @param tenantInstanceCount how many of them belong to the tenant being placed
     */
    public NodeCandidate(Node node, Capacity allocated, int instanceCount, int tenantInstanceCount) {
        if (node == null) throw new InvalidSpecException("node", "is required");
        if (allocated == null) throw new InvalidSpecException("allocated", "is required");
        this.node = node;
        this.allocated = allocated;
        this.instanceCount = instanceCount;
        this.tenantInstanceCount = tenantInstanceCount;
        this.allocatable = node.allocatable();
        this.cpuAllocatable = allocatable.cpuMillis();
        this.memoryAllocatable = allocatable.memoryBytes();
        this.diskAllocatable = allocatable.diskBytes();
        this.cpuAllocated = allocated.cpuMillis();
        this.memoryAllocated = allocated.memoryBytes();
        this.diskAllocated = allocated.diskBytes();
        this.cpuInverse = cpuAllocatable > 0 ? 1.0 / cpuAllocatable : 0;
        this.memoryInverse = memoryAllocatable > 0 ? 1.0 / memoryAllocatable : 0;
        this.diskInverse = diskAllocatable > 0 ? 1.0 / diskAllocatable : 0;
        this.online = node.status() == NodeStatus.ONLINE;
        this.providerKind = node.providerKind();
        String id = node.id();
        this.idHead = pack(id, 0);
        this.idTail = pack(id, 8);
        this.idLong = id.length() > 16;
    }

    /** Eight characters from {@code from} as an unsigned big-endian number, 0-padded (shorter sorts first). */
    private static long pack(String id, int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) {
            v = (v << 8) | (i < id.length() ? id.charAt(i) & 0xFF : 0);
        }
        return v;
    }

    /** Whether this node's id sorts before {@code other}'s, mostly without touching either string. */
    boolean idBefore(NodeCandidate other) {
        int c = Long.compareUnsigned(idHead, other.idHead);
        if (c == 0) c = Long.compareUnsigned(idTail, other.idTail);
        if (c == 0 && (idLong || other.idLong)) c = node.id().compareTo(other.node.id());
        return c < 0;
    }

    /** The node. */
    public Node node() {
        return node;
    }

    /** Sum of the placed instances' accounted resources. */
    public Capacity allocated() {
        return allocated;
    }

    /** How many live instances the node holds. */
    public int instanceCount() {
        return instanceCount;
    }

    /** How many of them belong to the tenant being placed. */
    public int tenantInstanceCount() {
        return tenantInstanceCount;
    }

    /** {@code node().allocatable()}, computed once. */
    public Capacity allocatable() {
        return allocatable;
    }

    /** What is left to allocate. */
    public Capacity free() {
        return allocatable.minus(allocated);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeCandidate c && node.equals(c.node) && allocated.equals(c.allocated)
                && instanceCount == c.instanceCount && tenantInstanceCount == c.tenantInstanceCount;
    }

    @Override
    public int hashCode() {
        return Objects.hash(node, allocated, instanceCount, tenantInstanceCount);
    }

    @Override
    public String toString() {
        return "NodeCandidate[node=" + node + ", allocated=" + allocated + ", instanceCount=" + instanceCount
                + ", tenantInstanceCount=" + tenantInstanceCount + "]";
    }
}
