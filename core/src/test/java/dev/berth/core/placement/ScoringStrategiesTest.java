package dev.berth.core.placement;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.plan.Isolation;
import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static dev.berth.core.placement.Fleet.GIB;
import static dev.berth.core.placement.Fleet.cand;
import static dev.berth.core.placement.Fleet.labelled;
import static dev.berth.core.placement.Fleet.node;
import static dev.berth.core.placement.Fleet.req;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ScoringStrategiesTest {

    final LeastAllocatedStrategy spread = new LeastAllocatedStrategy();
    final MostAllocatedStrategy binPack = new MostAllocatedStrategy();
    final BalancedAllocationStrategy balanced = new BalancedAllocationStrategy();

    static List<PlacementStrategy> strategies() {
        return PlacementStrategies.all();
    }

    // Four 8000m / 16 GiB nodes at 50 %, 12.5 %, 75 % and 93.75 % use; the request takes 1000m / 2 GiB.
    final List<NodeCandidate> table = List.of(
            cand(node("a", 8000, 16, 100), 4000, 8, 0),
            cand(node("b", 8000, 16, 100), 1000, 2, 0),
            cand(node("c", 8000, 16, 100), 6000, 12, 0),
            cand(node("d", 8000, 16, 100), 7500, 15, 0));
    final PlacementRequest small = req(1000, 2, 1);

    @Test
    void spreadPicksTheEmptiestNodeWithKubeLeastAllocatedScore() {
        assertThat(spread.place(small, table).nodeId()).isEqualTo("b");
        // after placement b uses 2000/8000 cpu and 4/16 GiB: free 75 % on both
        assertThat(spread.score(small, table.get(1))).isCloseTo(75.0, within(1e-9));
    }

    @Test
    void binPackPicksTheFullestNodeThatStillFits() {
        PlacementDecision d = binPack.place(small, table);
        assertThat(d.nodeId()).isEqualTo("c"); // d is fuller but 7500m + 1000m exceeds 8000m
        // after placement c uses 7000/8000 cpu and 14/16 GiB: 87.5 % on both
        assertThat(binPack.score(small, table.get(2))).isCloseTo(87.5, within(1e-9));
        assertThat(spread.place(small, List.of(table.get(3))).rejections().get("d")).startsWith("cpu");
    }

    @Test
    void balancedPrefersTheNodeWhoseFractionsEndUpEven() {
        // x ends at cpu 10 %, memory 60 %, disk 10 %; y ends at 60 % on all three
        var x = cand(node("x", 10000, 10, 10), 0, 5, 0);
        var y = cand(node("y", 10000, 10, 10), 5000, 5, 5);
        var r = req(1000, 1, 1);
        assertThat(balanced.place(r, List.of(x, y)).nodeId()).isEqualTo("y");
        assertThat(balanced.score(r, y)).isCloseTo(100.0, within(1e-9));
        // (1 - population std of {0.1, 0.6, 0.1}) × 100
        double mean = (0.1 + 0.6 + 0.1) / 3;
        double std = Math.sqrt((2 * Math.pow(0.1 - mean, 2) + Math.pow(0.6 - mean, 2)) / 3);
        assertThat(balanced.score(r, x)).isCloseTo((1 - std) * 100, within(1e-9));
        // spread, by contrast, takes the emptier x: the strategies really differ
        assertThat(spread.place(r, List.of(x, y)).nodeId()).isEqualTo("x");
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void tiesAreBrokenByNodeIdWhateverTheInputOrder(PlacementStrategy s) {
        var b = cand(node("b", 8000, 16, 100), 1000, 2, 0);
        var a = cand(node("a", 8000, 16, 100), 1000, 2, 0);
        assertThat(s.place(small, List.of(b, a)).nodeId()).isEqualTo("a");
        assertThat(s.place(small, List.of(a, b)).nodeId()).isEqualTo("a");
    }

    @Test
    void overcommitAndReservedHeadroomChangeTheResult() {
        // p: 4000m × 4 × 0.5 = 8000m, 8 GiB × 0.5 = 4 GiB allocatable; q: 8000m, 8 GiB
        Node p = new Node("p", "docker", "p", Map.of(), new Capacity(4000, 8 * GIB, 100 * GIB),
                new Overcommit(4, 1, 1), 0.5, null, NodeStatus.ONLINE);
        Node q = node("q", 8000, 8, 100);
        var r = req(1000, 2, 1);
        List<NodeCandidate> fleet = List.of(cand(p, 0, 0, 0), cand(q, 0, 0, 0));
        // spread: p scores (87.5 + 50) / 2, q scores (87.5 + 75) / 2
        assertThat(spread.place(r, fleet).nodeId()).isEqualTo("q");
        assertThat(binPack.place(r, fleet).nodeId()).isEqualTo("p");

        // 2000m fits on a 1000m node only thanks to 4:1 cpu overcommit
        Node small = new Node("s", "docker", "s", Map.of(), new Capacity(1000, 8 * GIB, 100 * GIB),
                Overcommit.NONE, 0, null, NodeStatus.ONLINE);
        Node over = new Node("o", "docker", "o", Map.of(), new Capacity(1000, 8 * GIB, 100 * GIB),
                new Overcommit(4, 1, 1), 0, null, NodeStatus.ONLINE);
        PlacementDecision d = spread.place(req(2000, 1, 1), List.of(cand(small, 0, 0, 0), cand(over, 0, 0, 0)));
        assertThat(d.nodeId()).isEqualTo("o");

        // 5 GiB does not fit in the 4 GiB p keeps allocatable after its 50 % reserve
        PlacementDecision none = binPack.place(req(1000, 5, 1), List.of(cand(p, 0, 0, 0)));
        assertThat(none.node()).isEmpty();
        assertThat(none.rejections().get("p")).startsWith("memory");
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void dedicatedAndRequiredLabelsAreFiltered(PlacementStrategy s) {
        var plain = new NodeCandidate(labelled("plain", Map.of()), Capacity.ZERO, 0, 0);
        var dedicated = new NodeCandidate(labelled("ded", Map.of("dedicated", "true", "region", "eu")),
                new Capacity(7000, 15 * GIB, 0), 9, 0);
        var us = new NodeCandidate(labelled("us", Map.of("region", "us")), Capacity.ZERO, 0, 0);
        var ded = new PlacementRequest("i", "t", null, new Capacity(500, GIB, GIB), Isolation.DEDICATED, Map.of());
        PlacementDecision d = s.place(ded, List.of(plain, dedicated, us));
        assertThat(d.nodeId()).isEqualTo("ded");

        var eu = new PlacementRequest("i", "t", null, new Capacity(500, GIB, GIB), Isolation.SHARED,
                Map.of("region", "eu"));
        assertThat(s.place(eu, List.of(plain, dedicated, us)).nodeId()).isEqualTo("ded");
        PlacementDecision none = s.place(eu, List.of(plain, us));
        assertThat(none.node()).isEmpty();
        assertThat(none.rejections()).containsEntry("plain", "label region=eu missing")
                .containsEntry("us", "label region=eu missing");
        assertThat(s.place(eu, List.of()).rejections()).containsEntry("*", "no nodes registered");
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void antiAffinityRanksNodesHoldingTheTenantLastButStillUsesThem(PlacementStrategy plain) {
        PlacementStrategy s = PlacementStrategies.byName(plain.name(), true);
        assertThat(((ScoringStrategy) s).antiAffinity()).isTrue();
        // "a" would win every strategy on its own (sorts first, and is emptiest / fullest alike) but holds t1
        Node n = node("a", 8000, 16, 100);
        var holdsTenant = new NodeCandidate(n, new Capacity(1000, 2 * GIB, 0), 1, 1);
        var other = new NodeCandidate(node("b", 8000, 16, 100), new Capacity(1000, 2 * GIB, 0), 1, 0);
        assertThat(plain.place(small, List.of(other, holdsTenant)).nodeId()).isEqualTo("a");
        assertThat(s.place(small, List.of(other, holdsTenant)).nodeId()).isEqualTo("b");

        // when the other node is full, the tenant's node is still used rather than refusing to place
        var full = new NodeCandidate(node("b", 8000, 16, 100), new Capacity(8000, 16 * GIB, 0), 4, 0);
        assertThat(s.place(small, List.of(full, holdsTenant)).nodeId()).isEqualTo("a");
    }

    @Test
    void byNameKnowsTheBuiltInsAndListsThemWhenUnknown() {
        assertThat(PlacementStrategies.byName("spread")).isInstanceOf(LeastAllocatedStrategy.class);
        assertThat(PlacementStrategies.byName("bin-pack")).isInstanceOf(MostAllocatedStrategy.class);
        assertThat(PlacementStrategies.byName("balanced")).isInstanceOf(BalancedAllocationStrategy.class);
        assertThat(PlacementStrategies.byName("least-instances")).isInstanceOf(LeastInstancesStrategy.class);
        assertThat(PlacementStrategies.all()).extracting(PlacementStrategy::name)
                .containsExactly("least-instances", "spread", "bin-pack", "balanced");
        for (String bad : new String[]{"binpack", "", null}) {
            assertThatThrownBy(() -> PlacementStrategies.byName(bad))
                    .isInstanceOf(InvalidSpecException.class)
                    .satisfies(e -> assertThat(((InvalidSpecException) e).field()).isEqualTo("placement.strategy"))
                    .hasMessageContaining("least-instances, spread, bin-pack, balanced");
        }
    }
}
