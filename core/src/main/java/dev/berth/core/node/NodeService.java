package dev.berth.core.node;

import dev.berth.core.secret.SecretCipher;
import dev.berth.core.store.Database;
import dev.berth.core.store.NodeEntity;
import dev.berth.core.store.NodeUsageEntity;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The node registry. Obtained from {@code Berth.nodes()}. A listener is told when capacity may have appeared
 * (a node registered, updated or brought back online) so that queued instances get placed.
 *
 * <p>Statuses: only ONLINE nodes take placements. {@link #drain} (DRAINING) stops new placements and marks the node
 * to be emptied (its migration plan is {@code Berth.capacity().migrationPlan}); {@link #cordon} (CORDONED) stops new
 * placements without that intent; {@link #maintenance} (MAINTENANCE) stops placements and mutes the node's health
 * alarms; OFFLINE is set by the node job after failed health checks; {@link #online} resumes placements. Existing
 * instances stay where they are in every status.
 */
public final class NodeService {

    private final Database db;
    private final Consumer<String> capacityChanged;
    private final SecretCipher cipher;

    /** Without credential storage (tests of the registry alone). */
    public NodeService(Database db, Consumer<String> capacityChanged) {
        this(db, capacityChanged, null);
    }

    /** @param cipher encrypts node credentials at rest (the operator's keyset, as for instance secrets) */
    public NodeService(Database db, Consumer<String> capacityChanged, SecretCipher cipher) {
        this.db = db;
        this.capacityChanged = capacityChanged;
        this.cipher = cipher;
    }

    /** Registers a node or replaces its definition (same id). Idempotent. Keeps a stored credential. */
    public Node register(Node node) {
        db.run(em -> {
            NodeEntity e = em.find(NodeEntity.class, node.id());
            if (e == null) {
                e = new NodeEntity();
                e.id = node.id();
                copy(node, e);
                em.persist(e);
            } else {
                copy(node, e);
            }
        });
        capacityChanged.accept(node.id());
        return node;
    }

    /**
     * Changes labels, capacity, overcommit ratios, reserved headroom or public address of a node; null fields of
     * {@code update} stay. Shrinking below what is already placed is allowed (the node then takes nothing new
     * until instances leave), since the operator knows the machine changed.
     *
     * @throws NotFoundException    if there is no such node
     * @throws InvalidSpecException naming the bad field ("reservedFraction", "overcommit.cpu", "labels" …); nothing
     *                              is changed
     */
    public Node update(String id, NodeUpdate update) {
        if (update == null) throw new InvalidSpecException("update", "is required");
        Node updated = db.inTransaction(em -> {
            NodeEntity e = em.find(NodeEntity.class, id);
            if (e == null) throw new NotFoundException("node", id);
            Node n = update.applyTo(toNode(e));
            copy(n, e);
            return n;
        });
        capacityChanged.accept(id);
        return updated;
    }

    /** @throws NotFoundException if there is no such node */
    public Node get(String id) {
        return find(id).orElseThrow(() -> new NotFoundException("node", id));
    }

    public Optional<Node> find(String id) {
        return Optional.ofNullable(db.read(em -> em.find(NodeEntity.class, id))).map(NodeService::toNode);
    }

    public List<Node> list() {
        return db.read(em -> em.createQuery("select n from NodeEntity n order by n.id", NodeEntity.class)
                .getResultList().stream().map(NodeService::toNode).toList());
    }

    /** No new placements; the node is to be emptied. */
    public Node drain(String id) {
        return setStatus(id, NodeStatus.DRAINING);
    }

    /** No new placements; instances stay. */
    public Node cordon(String id) {
        return setStatus(id, NodeStatus.CORDONED);
    }

    /** No placements and no health alarms while the operator works on the machine. */
    public Node maintenance(String id) {
        return setStatus(id, NodeStatus.MAINTENANCE);
    }

    /** Takes placements again (queued instances are placed). */
    public Node online(String id) {
        return setStatus(id, NodeStatus.ONLINE);
    }

    /** Sets the node's status (see the class comment); ONLINE also clears its health failure count. */
    public Node setStatus(String id, NodeStatus status) {
        if (status == null) throw new InvalidSpecException("status", "is required");
        Node updated = db.inTransaction(em -> {
            NodeEntity e = em.find(NodeEntity.class, id);
            if (e == null) throw new NotFoundException("node", id);
            e.status = status.name();
            e.statusReason = "set by operator";
            if (status == NodeStatus.ONLINE) e.healthFailures = 0;
            return toNode(e);
        });
        if (status == NodeStatus.ONLINE) {
            capacityChanged.accept(id);
        }
        return updated;
    }

    /**
     * Removes a node. Refused while instances that are not terminated or failed are placed on it (or migrating
     * to it): empty it first, with {@code Berth.capacity().evacuate(id)} (which migrates every instance along the
     * node's migration plan) or by terminating them.
     *
     * @throws ConflictException naming the node and how many instances still live there
     */
    public void deregister(String id) {
        db.run(em -> {
            long live = em.createQuery("select count(i) from InstanceEntity i where (i.nodeId = :n or i.targetNodeId = :n)"
                            + " and i.state not in ('TERMINATED', 'FAILED')", Long.class)
                    .setParameter("n", id).getSingleResult();
            if (live > 0) {
                throw new ConflictException("node " + id + " still hosts " + live
                        + " instance(s); evacuate it (migration plan) or terminate them first");
            }
            em.createQuery("update InstanceEntity i set i.nodeId = null where i.nodeId = :n").setParameter("n", id).executeUpdate();
            em.createQuery("delete from NodeUsageEntity u where u.nodeId = :n").setParameter("n", id).executeUpdate();
            NodeEntity e = em.find(NodeEntity.class, id);
            if (e != null) em.remove(e);
        });
    }

    /**
     * Stores the node's API credential (a Proxmox API token, a Docker TLS key …), encrypted with the operator's
     * key and bound to this node (a ciphertext copied to another node does not decrypt). Replaces an older one.
     */
    public void setCredential(String id, SecretValue credential) {
        if (credential == null || credential.length() == 0) throw new InvalidSpecException("credential", "must not be empty");
        SecretCipher c = requireCipher();
        db.run(em -> {
            NodeEntity e = em.find(NodeEntity.class, id);
            if (e == null) throw new NotFoundException("node", id);
            e.credential = c.encrypt(credential, associatedData(id));
        });
    }

    /** The node's credential, decrypted, for the provider that connects to it. Never log it. */
    public Optional<SecretValue> credential(String id) {
        SecretCipher c = requireCipher();
        NodeEntity e = db.read(em -> em.find(NodeEntity.class, id));
        if (e == null) throw new NotFoundException("node", id);
        return e.credential == null ? Optional.empty() : Optional.of(c.decrypt(e.credential, associatedData(id)));
    }

    /** Usage samples of the node since {@code from}, oldest first (kept for the configured window). */
    public List<NodeUsage> usage(String id, Instant from) {
        return db.read(em -> em.createQuery("select u from NodeUsageEntity u where u.nodeId = :n and u.observedAt >= :f"
                        + " order by u.observedAt", NodeUsageEntity.class)
                .setParameter("n", id).setParameter("f", from).getResultList().stream()
                .map(u -> new NodeUsage(u.nodeId, u.observedAt, u.healthy,
                        new Capacity(u.cpuUsedMillis, u.memoryUsedBytes, u.diskUsedBytes), u.instanceCount))
                .toList());
    }

    private SecretCipher requireCipher() {
        if (cipher == null) throw new IllegalStateException("this NodeService was built without a SecretCipher");
        return cipher;
    }

    private static String associatedData(String nodeId) {
        return "berth/node/" + nodeId + "/credential";
    }

    private static void copy(Node n, NodeEntity e) {
        e.providerKind = n.providerKind();
        e.target = n.target();
        e.labels = new TreeMap<>(n.labels());
        e.cpuMillis = n.capacity().cpuMillis();
        e.memoryBytes = n.capacity().memoryBytes();
        e.diskBytes = n.capacity().diskBytes();
        e.overcommitCpu = n.overcommit().cpu();
        e.overcommitMemory = n.overcommit().memory();
        e.overcommitDisk = n.overcommit().disk();
        e.reservedFraction = n.reservedFraction();
        e.publicAddress = n.publicAddress();
        e.status = n.status().name();
    }

    /** Maps a row to the value; public for the engine's placement transaction. */
    public static Node toNode(NodeEntity e) {
        return new Node(e.id, e.providerKind, e.target, e.labels,
                new Capacity(e.cpuMillis, e.memoryBytes, e.diskBytes),
                new Overcommit(e.overcommitCpu, e.overcommitMemory, e.overcommitDisk),
                e.reservedFraction, e.publicAddress, NodeStatus.valueOf(e.status));
    }
}
