package dev.berth.core.placement;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.plan.Isolation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.berth.core.placement.Fleet.GIB;
import static dev.berth.core.placement.Fleet.cand;
import static dev.berth.core.placement.Fleet.node;
import static dev.berth.core.placement.Fleet.req;
import static org.assertj.core.api.Assertions.assertThat;

class CapacityCheckTest {

    @Test
    void answersWhereTheNextGoesAndHowManyFit() {
        // a has room for 3 × (1000m, 2 GiB), b for 1 (cpu-bound). Bin-pack after placement: a 75 % cpu and memory
        // (score 75), b 100 % cpu but 12.5 % memory (score 56.25), so a comes first.
        List<NodeCandidate> fleet = List.of(cand(node("a", 8000, 16, 100), 5000, 10, 0),
                cand(node("b", 8000, 16, 100), 7000, 0, 0));
        var a = CapacityCheck.check(new MostAllocatedStrategy(), req(1000, 2, 1), fleet);
        assertThat(a.placeableNow()).isTrue();
        assertThat(a.node()).isEqualTo("a");
        assertThat(a.moreThatFit()).isEqualTo(4);
        assertThat(a.rejections()).isEmpty();
    }

    @Test
    void unplaceableCarriesTheRejections() {
        var a = CapacityCheck.check(new LeastAllocatedStrategy(), req(9000, 1, 1),
                List.of(cand(node("a", 8000, 16, 100), 0, 0, 0)));
        assertThat(a.placeableNow()).isFalse();
        assertThat(a.node()).isNull();
        assertThat(a.moreThatFit()).isZero();
        assertThat(a.rejections().get("a")).startsWith("cpu");
    }

    @Test
    void zeroDemandIsCappedRatherThanLoopingForever() {
        var a = CapacityCheck.check(new LeastInstancesStrategy(), req(0, 0, 0),
                List.of(cand(node("a", 8000, 16, 100), 0, 0, 0)));
        assertThat(a.moreThatFit()).isEqualTo(CapacityCheck.SIMULATION_CAP);
    }

    /**
     * 200 random fleets × every strategy (with and without anti-affinity): the check agrees with place(), placing
     * moreThatFit instances one by one all succeed and the next is rejected, and the count equals an independent
     * per-node oracle (the filters are per node, so the total is the sum of what each eligible node can hold,
     * whatever the strategy's order).
     */
    @Test
    void agreesWithPlaceOnRandomFleets() {
        Random rnd = new Random(20261124L);
        List<PlacementStrategy> strategies = new ArrayList<>(PlacementStrategies.all(false));
        strategies.addAll(PlacementStrategies.all(true));
        NodeStatus[] statuses = NodeStatus.values();
        int placeable = 0, unplaceable = 0; // guards against a generator that makes the test vacuous
        for (int fleetNo = 0; fleetNo < 200; fleetNo++) {
            int n = rnd.nextInt(7); // includes the empty fleet
            List<NodeCandidate> fleet = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Map<String, String> labels = new HashMap<>();
                if (rnd.nextInt(3) == 0) labels.put("region", rnd.nextBoolean() ? "eu" : "us");
                if (rnd.nextInt(4) == 0) labels.put("dedicated", "true");
                Node node = new Node("n" + rnd.nextInt(20) + "-" + i, rnd.nextInt(6) == 0 ? "proxmox-lxc" : "docker",
                        null, labels,
                        new Capacity(1000L * (1 + rnd.nextInt(16)), GIB * (1 + rnd.nextInt(64)), GIB * (10 + rnd.nextInt(500))),
                        new Overcommit(1 + rnd.nextInt(4), 1 + rnd.nextInt(2) * 0.5, 1), rnd.nextInt(5) * 0.1, null,
                        rnd.nextInt(5) == 0 ? statuses[rnd.nextInt(statuses.length)] : NodeStatus.ONLINE);
                Capacity alloc = node.allocatable();
                Capacity used = new Capacity((long) (alloc.cpuMillis() * rnd.nextDouble()),
                        (long) (alloc.memoryBytes() * rnd.nextDouble()), (long) (alloc.diskBytes() * rnd.nextDouble()));
                int instances = rnd.nextInt(10);
                fleet.add(new NodeCandidate(node, used, instances, instances == 0 ? 0 : rnd.nextInt(instances + 1)));
            }
            Map<String, String> required = rnd.nextInt(4) == 0 ? Map.of("region", "eu") : Map.of();
            var request = new PlacementRequest("i", "t", rnd.nextInt(5) == 0 ? "docker" : null,
                    new Capacity(250L * (1 + rnd.nextInt(8)), GIB / 2 * (1 + rnd.nextInt(8)), GIB * (1 + rnd.nextInt(20))),
                    rnd.nextInt(5) == 0 ? Isolation.DEDICATED : Isolation.SHARED, required);

            for (PlacementStrategy s : strategies) {
                String ctx = "fleet " + fleetNo + " strategy " + s.name() + " " + ((ScoringStrategy) s).antiAffinity();
                CapacityCheck.Answer answer = CapacityCheck.check(s, request, fleet);
                PlacementDecision now = s.place(request, fleet);
                assertThat(answer.placeableNow()).as(ctx).isEqualTo(now.nodeId() != null);
                if (answer.placeableNow() && answer.moreThatFit() > 1) placeable++;
                if (!answer.placeableNow()) unplaceable++;
                assertThat(answer.node()).as(ctx).isEqualTo(now.nodeId());
                assertThat(answer.rejections()).as(ctx).isEqualTo(now.rejections());
                assertThat(answer.moreThatFit()).as(ctx).isLessThan(CapacityCheck.SIMULATION_CAP)
                        .isEqualTo(oracle(request, fleet));

                List<NodeCandidate> sim = new ArrayList<>(fleet);
                for (int k = 0; k < answer.moreThatFit(); k++) {
                    PlacementDecision d = s.place(request, sim);
                    assertThat(d.nodeId()).as(ctx + " placement " + k).isNotNull();
                    sim = withOneMore(sim, d.nodeId(), request);
                }
                assertThat(s.place(request, sim).node()).as(ctx + " one past moreThatFit").isEmpty();
            }
        }
        assertThat(placeable).isGreaterThan(200);
        assertThat(unplaceable).isGreaterThan(100);
    }

    /** Sum over nodes passing the non-capacity filters of how many demands fit in their free capacity. */
    private static int oracle(PlacementRequest r, List<NodeCandidate> fleet) {
        long total = 0;
        for (NodeCandidate c : fleet) {
            var probe = new NodeCandidate(c.node(), Capacity.ZERO, 0, 0);
            var why = NodeFilters.rejection(new PlacementRequest(r.instanceId(), r.tenantId(), r.providerKind(),
                    Capacity.ZERO, r.isolation(), r.requiredLabels()), probe);
            if (why.isPresent()) continue;
            Capacity free = c.free();
            long fit = Math.min(free.cpuMillis() / r.demand().cpuMillis(),
                    Math.min(free.memoryBytes() / r.demand().memoryBytes(), free.diskBytes() / r.demand().diskBytes()));
            total += fit;
        }
        return (int) total;
    }

    private static List<NodeCandidate> withOneMore(List<NodeCandidate> fleet, String nodeId, PlacementRequest r) {
        List<NodeCandidate> out = new ArrayList<>();
        boolean done = false;
        for (NodeCandidate c : fleet) {
            if (!done && c.node().id().equals(nodeId)) {
                out.add(new NodeCandidate(c.node(), c.allocated().plus(r.demand()), c.instanceCount() + 1,
                        c.tenantInstanceCount() + 1));
                done = true;
            } else {
                out.add(c);
            }
        }
        return out;
    }
}
