package dev.berth.core.placement;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The default strategy: among nodes that pass {@link NodeFilters}, the one with the fewest instances, ties
 * broken by node id. Spreads instances evenly, like round-robin, but stays correct after terminations.
 */
public final class LeastInstancesStrategy implements PlacementStrategy {

    @Override
    public String name() {
        return "least-instances";
    }

    @Override
    public PlacementDecision place(PlacementRequest request, List<NodeCandidate> candidates) {
        Map<String, String> rejections = new LinkedHashMap<>();
        NodeCandidate best = null;
        Comparator<NodeCandidate> order = Comparator.comparingInt(NodeCandidate::instanceCount)
                .thenComparing(c -> c.node().id());
        for (NodeCandidate c : candidates) {
            var why = NodeFilters.rejection(request, c);
            if (why.isPresent()) {
                rejections.put(c.node().id(), why.get());
            } else if (best == null || order.compare(c, best) < 0) {
                best = c;
            }
        }
        if (candidates.isEmpty()) {
            rejections.put("*", "no nodes registered");
        }
        return best == null ? PlacementDecision.unplaceable(rejections) : PlacementDecision.placed(best.node().id());
    }
}
