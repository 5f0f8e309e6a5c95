package dev.berth.core.placement;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.plan.Isolation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LeastInstancesStrategyTest {

    static final long GIB = 1L << 30;
    final LeastInstancesStrategy strategy = new LeastInstancesStrategy();

    static Node node(String id, NodeStatus status, Map<String, String> labels) {
        return new Node(id, "docker", id, labels, new Capacity(4000, 8 * GIB, 100 * GIB), new Overcommit(4, 1, 1), 0.25, null, status);
    }

    static PlacementRequest request(Isolation isolation, long memory) {
        return new PlacementRequest("i1", "t1", null, new Capacity(250, memory, GIB), isolation, Map.of());
    }

    @Test
    void picksTheNodeWithFewestInstancesAndBreaksTiesById() {
        var a = new NodeCandidate(node("b-node", NodeStatus.ONLINE, Map.of()), Capacity.ZERO, 1, 0);
        var b = new NodeCandidate(node("a-node", NodeStatus.ONLINE, Map.of()), Capacity.ZERO, 1, 0);
        var c = new NodeCandidate(node("c-node", NodeStatus.ONLINE, Map.of()), Capacity.ZERO, 3, 0);
        assertThat(strategy.place(request(Isolation.SHARED, GIB), List.of(c, a, b)).nodeId()).isEqualTo("a-node");
    }

    @Test
    void allocatableAppliesOvercommitAndReservedHeadroom() {
        Node n = node("n", NodeStatus.ONLINE, Map.of());
        // 4000m × 4 overcommit × 0.75 kept = 12000m; 8 GiB × 1 × 0.75 = 6 GiB
        assertThat(n.allocatable().cpuMillis()).isEqualTo(12000);
        assertThat(n.allocatable().memoryBytes()).isEqualTo(6 * GIB);
    }

    @Test
    void explainsPerNodeWhyNothingFits() {
        var full = new NodeCandidate(node("full", NodeStatus.ONLINE, Map.of()), new Capacity(0, 6 * GIB, 0), 5, 0);
        var drained = new NodeCandidate(node("drained", NodeStatus.DRAINING, Map.of()), Capacity.ZERO, 0, 0);
        var shared = new NodeCandidate(node("shared", NodeStatus.ONLINE, Map.of()), Capacity.ZERO, 0, 0);
        PlacementDecision d = strategy.place(request(Isolation.DEDICATED, GIB), List.of(full, drained, shared));
        assertThat(d.node()).isEmpty();
        assertThat(d.rejections()).containsEntry("drained", "node is DRAINING")
                .containsEntry("shared", "dedicated plan needs label dedicated=true");
        PlacementDecision d2 = strategy.place(request(Isolation.SHARED, GIB), List.of(full));
        assertThat(d2.rejections().get("full")).startsWith("memory");
        assertThat(strategy.place(request(Isolation.SHARED, GIB), List.of()).rejections()).containsKey("*");
    }
}
