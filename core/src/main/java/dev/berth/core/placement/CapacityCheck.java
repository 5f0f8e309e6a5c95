package dev.berth.core.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Answers "can I place this, where, and how many more would fit?" without touching anything: a pure simulation on
 * top of a {@link PlacementStrategy}, so the answer matches what the engine would do with the same inputs.
 */
public final class CapacityCheck {

    /** Upper bound on simulated placements, so zero or tiny demands terminate. */
    public static final int SIMULATION_CAP = 100_000;

    private CapacityCheck() {
    }

    /**
     * The result of a check.
     *
     * @param placeableNow whether one instance of the demand can be placed now
     * @param node         the node the next instance would go to, or null when none fits
     * @param moreThatFit  how many instances of this demand fit in total (including the next one), placing them
     *                     one by one with the strategy; capped at {@link CapacityCheck#SIMULATION_CAP}
     * @param rejections   node id → why it was rejected, when nothing fits now (empty otherwise)
     */
    public record Answer(boolean placeableNow, String node, int moreThatFit, Map<String, String> rejections) {
        public Answer {
            rejections = rejections == null ? Map.of() : Map.copyOf(rejections);
        }
    }

    /**
     * Runs {@code strategy} on the candidates, then keeps placing the same request, each time adding its demand
     * (and one instance, of the same tenant) to the chosen node, until placement fails or the cap is reached.
     */
    public static Answer check(PlacementStrategy strategy, PlacementRequest request, List<NodeCandidate> candidates) {
        PlacementDecision first = strategy.place(request, candidates);
        if (first.nodeId() == null) {
            return new Answer(false, null, 0, first.rejections());
        }
        List<NodeCandidate> fleet = new ArrayList<>(candidates);
        int placed = 0;
        PlacementDecision d = first;
        while (d.nodeId() != null && placed < SIMULATION_CAP) {
            placed++;
            apply(fleet, d.nodeId(), request);
            d = strategy.place(request, fleet);
        }
        return new Answer(true, first.nodeId(), placed, Map.of());
    }

    /** Replaces the chosen node's candidate by one that also holds the new instance. */
    static void apply(List<NodeCandidate> fleet, String nodeId, PlacementRequest request) {
        for (int i = 0; i < fleet.size(); i++) {
            NodeCandidate c = fleet.get(i);
            if (c.node().id().equals(nodeId)) {
                // Only the first candidate with that id: the strategy chose by id, and duplicates are a caller bug.
                fleet.set(i, new NodeCandidate(c.node(), c.allocated().plus(request.demand()),
                        c.instanceCount() + 1, c.tenantInstanceCount() + 1));
                return;
            }
        }
        throw new IllegalStateException("strategy chose " + nodeId + ", which is not a candidate");
    }
}
