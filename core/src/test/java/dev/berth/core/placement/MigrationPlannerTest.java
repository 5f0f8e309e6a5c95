package dev.berth.core.placement;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.plan.Isolation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.berth.core.placement.Fleet.GIB;
import static dev.berth.core.placement.Fleet.node;
import static org.assertj.core.api.Assertions.assertThat;

class MigrationPlannerTest {

    private static MigrationPlanner.Item item(String id, String tenant, long cpu, long memGib, PlacementStrategy s) {
        return new MigrationPlanner.Item(new PlacementRequest(id, tenant, null, new Capacity(cpu, memGib * GIB, GIB),
                Isolation.SHARED, Map.of()), s);
    }

    private static NodeLoad load(Node n, long cpu, long memGib, int count) {
        return new NodeLoad(n, new Capacity(cpu, memGib * GIB, count * GIB), count, Map.of());
    }

    @Test
    void plannedMovesConsumeCapacitySoThePlanAsAWholeFits() {
        var spread = new LeastAllocatedStrategy();
        // b has room for exactly one 2-GiB instance, c for two: each alone fits b, all three together do not
        List<NodeLoad> fleet = List.of(load(node("a", 8000, 16, 100), 6000, 6, 3),
                load(node("b", 4000, 4, 100), 0, 2, 1), load(node("c", 4000, 5, 100), 0, 1, 1));
        var plan = MigrationPlanner.plan("a", List.of(item("i1", "t", 1000, 2, spread), item("i2", "t", 1000, 2, spread),
                item("i3", "t", 1000, 2, spread)), fleet);
        assertThat(plan.complete()).isTrue();
        assertThat(plan.moves()).extracting(MigrationPlanner.Move::targetNodeId).containsExactly("c", "b", "c");
        var perNode = new HashMap<String, Long>();
        plan.moves().forEach(m -> perNode.merge(m.targetNodeId(), 2 * GIB, Long::sum));
        assertThat(perNode.get("b")).isLessThanOrEqualTo(2 * GIB);
        assertThat(perNode.get("c")).isLessThanOrEqualTo(4 * GIB);
    }

    @Test
    void whatFitsNowhereIsReportedWithTheReasonPerNodeAndLargestArePlannedFirst() {
        var s = new LeastInstancesStrategy();
        List<NodeLoad> fleet = List.of(load(node("a", 8000, 16, 100), 0, 8, 2), load(node("b", 8000, 3, 100), 0, 0, 0),
                NodeLoad.empty(node("d", 8000, 16, 100).withStatus(NodeStatus.DRAINING)));
        var plan = MigrationPlanner.plan("a", List.of(item("small", "t", 100, 1, s), item("big", "t", 100, 3, s)), fleet);
        // "big" (3 GiB) is planned first and takes b; "small" then finds no room
        assertThat(plan.moves()).containsExactly(new MigrationPlanner.Move("big", "b"));
        assertThat(plan.unplaceable()).containsOnlyKeys("small");
        assertThat(plan.unplaceable().get("small")).contains("b: memory").contains("d: node is DRAINING").doesNotContain("a:");
        assertThat(plan.complete()).isFalse();
    }

    @Test
    void antiAffinitySeesTheTenantsEarlierPlannedMoves() {
        var s = new MostAllocatedStrategy(true);
        List<NodeLoad> fleet = List.of(NodeLoad.empty(node("a", 8000, 16, 100)), NodeLoad.empty(node("b", 8000, 16, 100)),
                NodeLoad.empty(node("c", 8000, 16, 100)));
        var plan = MigrationPlanner.plan("a", List.of(item("i1", "t1", 100, 1, s), item("i2", "t1", 100, 1, s)), fleet);
        assertThat(plan.moves()).extracting(MigrationPlanner.Move::targetNodeId).containsExactlyInAnyOrder("b", "c");
    }

    /** Random fleets: every planned move, replayed in order against the same fleet, is accepted by the filters. */
    @Test
    void replayingAPlanNeverOverfillsANode() {
        Random rnd = new Random(99);
        int moves = 0;
        for (int k = 0; k < 300; k++) {
            List<NodeLoad> fleet = new ArrayList<>();
            for (NodeCandidate c : ReferencePlacementTest.randomFleet(rnd, 1 + rnd.nextInt(8))) {
                fleet.add(new NodeLoad(c.node(), c.allocated(), c.instanceCount(), Map.of()));
            }
            String source = fleet.get(0).node().id();
            List<MigrationPlanner.Item> items = new ArrayList<>();
            for (int i = 0; i < rnd.nextInt(12); i++) {
                var r = ReferencePlacementTest.randomRequest(rnd);
                items.add(new MigrationPlanner.Item(new PlacementRequest("i" + i, "t" + rnd.nextInt(3), r.providerKind(),
                        r.demand(), r.isolation(), r.requiredLabels()), PlacementStrategies.all(rnd.nextBoolean()).get(rnd.nextInt(4))));
            }
            var plan = MigrationPlanner.plan(source, items, fleet);
            assertThat(plan.moves().size() + plan.unplaceable().size()).isEqualTo(items.size());
            Map<String, NodeLoad> state = new HashMap<>();
            fleet.forEach(n -> state.put(n.node().id(), n));
            for (var m : plan.moves()) {
                assertThat(m.targetNodeId()).isNotEqualTo(source);
                var it = items.stream().filter(i -> i.request().instanceId().equals(m.instanceId())).findFirst().orElseThrow();
                var target = state.get(m.targetNodeId());
                assertThat(NodeFilters.accepts(it.request(), target.candidate(it.request().tenantId()))).isTrue();
                state.put(m.targetNodeId(), target.plus(it.request().tenantId(), it.request().demand()));
                moves++;
            }
        }
        assertThat(moves).isGreaterThan(200);
    }
}
