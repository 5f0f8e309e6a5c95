package dev.berth.core.placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the instances of a node that is being emptied (draining, failed) would go. A pure computation on top of
 * the placement strategies: each instance is placed with its own strategy on the other nodes, and every planned
 * move takes its capacity on the destination before the next instance is placed, so the plan as a whole fits,
 * not just each move on its own. Instances are planned largest first (memory, then CPU, then id): first-fit
 * decreasing leaves fewer large instances stranded than arrival order.
 */
public final class MigrationPlanner {

    private MigrationPlanner() {
    }

    /**
     * One instance to move.
     *
     * @param request  the placement request (its demand, tenant, labels, isolation)
     * @param strategy the strategy its plan places with
     */
    public record Item(PlacementRequest request, PlacementStrategy strategy) { }

    /** One planned move. */
    public record Move(String instanceId, String targetNodeId) { }

    /**
     * The plan.
     *
     * @param nodeId      the node being emptied
     * @param moves       instances that can move, and where, in the order they were planned
     * @param unplaceable instance id → why no other node can take it (node id: reason; …)
     */
    public record Plan(String nodeId, List<Move> moves, Map<String, String> unplaceable) {
        public Plan {
            moves = List.copyOf(moves);
            unplaceable = Map.copyOf(unplaceable);
        }

        /** True when every instance has a destination. */
        public boolean complete() {
            return unplaceable.isEmpty();
        }
    }

    /**
     * @param sourceNodeId the node being emptied; never a destination, whatever its status
     * @param items        its instances
     * @param fleet        every node with its current load (the source may be included; it is skipped)
     */
    public static Plan plan(String sourceNodeId, List<Item> items, List<NodeLoad> fleet) {
        List<NodeLoad> others = new ArrayList<>();
        for (NodeLoad n : fleet) {
            if (!n.node().id().equals(sourceNodeId)) others.add(n);
        }
        List<Item> order = new ArrayList<>(items);
        order.sort(Comparator.comparingLong((Item i) -> -i.request().demand().memoryBytes())
                .thenComparingLong(i -> -i.request().demand().cpuMillis())
                .thenComparing(i -> i.request().instanceId()));
        List<Move> moves = new ArrayList<>();
        Map<String, String> unplaceable = new LinkedHashMap<>();
        for (Item item : order) {
            PlacementRequest r = item.request();
            List<NodeCandidate> candidates = new ArrayList<>(others.size());
            for (NodeLoad n : others) candidates.add(n.candidate(r.tenantId()));
            PlacementDecision d = item.strategy().place(r, candidates);
            if (d.nodeId() == null) {
                unplaceable.put(r.instanceId(), reasons(d));
                continue;
            }
            moves.add(new Move(r.instanceId(), d.nodeId()));
            for (int k = 0; k < others.size(); k++) {
                if (others.get(k).node().id().equals(d.nodeId())) {
                    others.set(k, others.get(k).plus(r.tenantId(), r.demand()));
                    break;
                }
            }
        }
        return new Plan(sourceNodeId, moves, unplaceable);
    }

    /** The per-node rejections of a failed decision as one line. */
    public static String reasons(PlacementDecision d) {
        StringBuilder sb = new StringBuilder();
        d.rejections().forEach((node, why) -> sb.append(sb.length() == 0 ? "" : "; ").append(node).append(": ").append(why));
        return sb.toString();
    }
}
