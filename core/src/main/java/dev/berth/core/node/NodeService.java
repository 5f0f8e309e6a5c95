package dev.berth.core.node;

import dev.berth.core.error.ConflictException;
import dev.berth.core.error.NotFoundException;
import dev.berth.core.store.Database;
import dev.berth.core.store.NodeEntity;

import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The node registry. Obtained from {@code Berth.nodes()}. A listener is told when capacity may have appeared
 * (a node registered or brought back online) so that queued instances get placed.
 */
public final class NodeService {

    private final Database db;
    private final Consumer<String> capacityChanged;

    public NodeService(Database db, Consumer<String> capacityChanged) {
        this.db = db;
        this.capacityChanged = capacityChanged;
    }

    /** Registers a node or updates it (same id). Idempotent. */
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

    /** Sets the node's status: DRAINING or CORDONED stop new placements, ONLINE resumes them. */
    public Node setStatus(String id, NodeStatus status) {
        Node updated = db.inTransaction(em -> {
            NodeEntity e = em.find(NodeEntity.class, id);
            if (e == null) throw new NotFoundException("node", id);
            e.status = status.name();
            return toNode(e);
        });
        if (status == NodeStatus.ONLINE) {
            capacityChanged.accept(id);
        }
        return updated;
    }

    /** Removes a node. Refused while instances that are not terminated are placed on it. */
    public void deregister(String id) {
        db.run(em -> {
            long live = em.createQuery("select count(i) from InstanceEntity i where i.nodeId = :n and i.state <> 'TERMINATED'", Long.class)
                    .setParameter("n", id).getSingleResult();
            if (live > 0) {
                throw new ConflictException("node " + id + " still hosts " + live + " instance(s); migrate or terminate them first");
            }
            em.createQuery("update InstanceEntity i set i.nodeId = null where i.nodeId = :n").setParameter("n", id).executeUpdate();
            NodeEntity e = em.find(NodeEntity.class, id);
            if (e != null) em.remove(e);
        });
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
