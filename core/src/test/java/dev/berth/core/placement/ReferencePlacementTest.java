package dev.berth.core.placement;

import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.plan.Isolation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.berth.core.placement.Fleet.GIB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The optimised decision path ({@link ScoringStrategy#place}: primitives, no allocation, messages only when nothing
 * fits) against a straightforward reference written from the formulas' definitions: filter with
 * {@link NodeFilters#rejection}, score on {@link Capacity} values, sort with a comparator, take the first. Random
 * fleets of every shape (statuses, providers, labels, overcommit, reserve, full and empty nodes, ties), every
 * strategy with and without anti-affinity: same node, or the same rejections.
 */
class ReferencePlacementTest {

    @Test
    void optimisedPathPicksTheSameNodeAsTheReferenceOnRandomFleets() {
        Random rnd = new Random(0x5EED_2026L);
        List<PlacementStrategy> strategies = new ArrayList<>(PlacementStrategies.all(false));
        strategies.addAll(PlacementStrategies.all(true));
        int placed = 0, unplaceable = 0, tied = 0;
        for (int fleetNo = 0; fleetNo < 2_000; fleetNo++) {
            List<NodeCandidate> fleet = randomFleet(rnd, rnd.nextInt(40));
            PlacementRequest request = randomRequest(rnd);
            for (PlacementStrategy s : strategies) {
                boolean anti = ((ScoringStrategy) s).antiAffinity();
                String ctx = "fleet " + fleetNo + " " + s.name() + " anti=" + anti;
                PlacementDecision expected = reference(s.name(), anti, request, fleet);
                PlacementDecision actual = s.place(request, fleet);
                assertThat(actual).as(ctx).isEqualTo(expected);
                if (actual.nodeId() != null) placed++; else unplaceable++;
                if (actual.nodeId() != null && hasTie(s.name(), request, fleet)) tied++;
            }
        }
        // the generator must exercise both outcomes and the tie-break, or the comparison proves little
        assertThat(placed).isGreaterThan(5_000);
        assertThat(unplaceable).isGreaterThan(1_000);
        assertThat(tied).isGreaterThan(500);
    }

    static List<NodeCandidate> randomFleet(Random rnd, int n) {
        NodeStatus[] statuses = NodeStatus.values();
        List<NodeCandidate> fleet = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, String> labels = new HashMap<>();
            if (rnd.nextInt(3) == 0) labels.put("region", rnd.nextBoolean() ? "eu" : "us");
            if (rnd.nextInt(4) == 0) labels.put("dedicated", "true");
            // few distinct shapes, so equal scores (and the id tie-break) are common
            long cores = 1L << rnd.nextInt(4);
            Node node = new Node("n" + rnd.nextInt(1000) + "-" + i, rnd.nextInt(6) == 0 ? "proxmox-lxc" : "docker", null,
                    labels, new Capacity(1000 * cores, 2 * GIB * cores, rnd.nextInt(20) == 0 ? 0 : 50 * GIB * cores),
                    new Overcommit(1 + rnd.nextInt(4), 1 + rnd.nextInt(2) * 0.5, 1), rnd.nextInt(5) * 0.1, null,
                    rnd.nextInt(5) == 0 ? statuses[rnd.nextInt(statuses.length)] : NodeStatus.ONLINE);
            Capacity alloc = node.allocatable();
            int slots = rnd.nextInt(9);
            Capacity used = rnd.nextInt(10) == 0
                    ? new Capacity(alloc.cpuMillis() + 1000, alloc.memoryBytes(), alloc.diskBytes()) // over-full
                    : new Capacity(alloc.cpuMillis() * slots / 8, alloc.memoryBytes() * slots / 8, alloc.diskBytes() * slots / 8);
            int instances = rnd.nextInt(6);
            fleet.add(new NodeCandidate(node, used, instances, instances == 0 ? 0 : rnd.nextInt(instances + 1)));
        }
        return fleet;
    }

    static PlacementRequest randomRequest(Random rnd) {
        return new PlacementRequest("i", "t", rnd.nextInt(5) == 0 ? "docker" : null,
                new Capacity(250L * rnd.nextInt(8), GIB / 4 * rnd.nextInt(8), GIB * rnd.nextInt(20)),
                rnd.nextInt(6) == 0 ? Isolation.DEDICATED : Isolation.SHARED,
                rnd.nextInt(4) == 0 ? Map.of("region", "eu") : Map.of());
    }

    /** The straightforward implementation. */
    static PlacementDecision reference(String strategy, boolean anti, PlacementRequest r, List<NodeCandidate> fleet) {
        Map<String, String> rejections = new LinkedHashMap<>();
        List<NodeCandidate> fit = new ArrayList<>();
        for (NodeCandidate c : fleet) {
            var why = NodeFilters.rejection(r, c);
            if (why.isPresent()) rejections.put(c.node().id(), why.get());
            else fit.add(c);
        }
        if (fit.isEmpty()) {
            if (fleet.isEmpty()) rejections.put("*", "no nodes registered");
            return PlacementDecision.unplaceable(rejections);
        }
        Comparator<NodeCandidate> order = Comparator.comparing((NodeCandidate c) -> anti && c.tenantInstanceCount() > 0)
                .thenComparing(c -> -referenceScore(strategy, r, c))
                .thenComparing(c -> c.node().id());
        fit.sort(order);
        return PlacementDecision.placed(fit.get(0).node().id());
    }

    static double referenceScore(String strategy, PlacementRequest r, NodeCandidate c) {
        Capacity a = c.node().allocatable();
        Capacity u = c.allocated().plus(r.demand());
        switch (strategy) {
            case "least-instances":
                return 100.0 / (1 + Math.max(0, c.instanceCount()));
            case "spread":
                return (leastAllocated(u.cpuMillis(), a.cpuMillis()) + leastAllocated(u.memoryBytes(), a.memoryBytes())) / 2;
            case "bin-pack":
                return (mostAllocated(u.cpuMillis(), a.cpuMillis()) + mostAllocated(u.memoryBytes(), a.memoryBytes())) / 2;
            case "balanced": {
                long[] used = {u.cpuMillis(), u.memoryBytes(), u.diskBytes()};
                long[] alloc = {a.cpuMillis(), a.memoryBytes(), a.diskBytes()};
                List<Double> f = new ArrayList<>();
                for (int k = 0; k < 3; k++) {
                    if (alloc[k] > 0) f.add(Math.min(1.0, (double) used[k] / alloc[k]));
                }
                if (f.size() < 2) return 100;
                double mean = 0;
                for (double x : f) mean += x;
                mean /= f.size();
                double var = 0;
                for (double x : f) var += (x - mean) * (x - mean);
                return (1 - Math.sqrt(var / f.size())) * 100;
            }
            default:
                throw new IllegalArgumentException(strategy);
        }
    }

    private static double leastAllocated(long used, long alloc) {
        return alloc <= 0 || used > alloc ? 0 : (double) (alloc - used) * 100 / alloc;
    }

    private static double mostAllocated(long used, long alloc) {
        return alloc <= 0 ? 0 : (double) Math.min(used, alloc) * 100 / alloc;
    }

    private static boolean hasTie(String strategy, PlacementRequest r, List<NodeCandidate> fleet) {
        List<Double> scores = fleet.stream().filter(c -> NodeFilters.rejection(r, c).isEmpty())
                .map(c -> referenceScore(strategy, r, c)).toList();
        double best = scores.stream().mapToDouble(Double::doubleValue).max().orElse(-1);
        return scores.stream().filter(x -> x == best).count() > 1;
    }

    /** Ties among ids longer than the packed 16-character head, or prefixes of each other, still go to the smallest. */
    @Test
    void tiesBetweenLongAndPrefixIdsGoToTheSmallestId() {
        List<String> ids = new ArrayList<>(List.of("eu-west-rack-07-host-2", "eu-west-rack-07-host-10", "eu-west-rack-07",
                "eu-west-rack-07-host-1", "eu-west-rack-07-hos", "eu-west-rack-07-host-1a", "eu-west-rack-06-zzz"));
        Random rnd = new Random(3);
        for (int round = 0; round < 50; round++) {
            java.util.Collections.shuffle(ids, rnd);
            List<NodeCandidate> fleet = ids.stream().map(id -> new NodeCandidate(Fleet.node(id, 4000, 8, 100), Capacity.ZERO, 0, 0)).toList();
            for (PlacementStrategy s : PlacementStrategies.all()) {
                assertThat(s.place(Fleet.req(100, 1, 1), fleet).nodeId()).as(s.name()).isEqualTo("eu-west-rack-06-zzz");
            }
            List<NodeCandidate> without = fleet.stream().filter(c -> !c.node().id().startsWith("eu-west-rack-06")).toList();
            for (PlacementStrategy s : PlacementStrategies.all()) {
                assertThat(s.place(Fleet.req(100, 1, 1), without).nodeId()).as(s.name()).isEqualTo("eu-west-rack-07");
            }
            // these differ only after the 16th character
            List<NodeCandidate> hosts = fleet.stream().filter(c -> c.node().id().contains("host-")).toList();
            for (PlacementStrategy s : PlacementStrategies.all()) {
                assertThat(s.place(Fleet.req(100, 1, 1), hosts).nodeId()).as(s.name()).isEqualTo("eu-west-rack-07-host-1");
            }
        }
    }

    @Test
    void acceptsAgreesWithRejection() {
        Random rnd = new Random(7);
        int accepted = 0;
        for (int k = 0; k < 2_000; k++) {
            PlacementRequest r = randomRequest(rnd);
            for (NodeCandidate c : randomFleet(rnd, 10)) {
                assertThat(NodeFilters.accepts(r, c)).isEqualTo(NodeFilters.rejection(r, c).isEmpty());
                if (NodeFilters.accepts(r, c)) accepted++;
            }
        }
        assertThat(accepted).isGreaterThan(1_000);
    }
}
