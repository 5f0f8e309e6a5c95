package dev.berth.core.placement;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.plan.Isolation;

import java.util.Map;

/** Small builders for placement tests, so each table reads as numbers rather than constructor noise. */
final class Fleet {

    static final long GIB = 1L << 30;

    private Fleet() {
    }

    /** A docker node without overcommit or reserve: allocatable equals capacity. */
    static Node node(String id, long cpuMillis, long memGib, long diskGib) {
        return new Node(id, "docker", id, Map.of(), new Capacity(cpuMillis, memGib * GIB, diskGib * GIB),
                Overcommit.NONE, 0, null, NodeStatus.ONLINE);
    }

    static Node labelled(String id, Map<String, String> labels) {
        return new Node(id, "docker", id, labels, new Capacity(8000, 16 * GIB, 100 * GIB), Overcommit.NONE, 0, null,
                NodeStatus.ONLINE);
    }

    static NodeCandidate cand(Node node, long cpuMillis, long memGib, long diskGib) {
        return new NodeCandidate(node, new Capacity(cpuMillis, memGib * GIB, diskGib * GIB), 0, 0);
    }

    static PlacementRequest req(long cpuMillis, long memGib, long diskGib) {
        return new PlacementRequest("i1", "t1", null, new Capacity(cpuMillis, memGib * GIB, diskGib * GIB),
                Isolation.SHARED, Map.of());
    }
}
