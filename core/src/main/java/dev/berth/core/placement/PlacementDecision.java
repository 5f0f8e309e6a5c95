package dev.berth.core.placement;

import java.util.Map;
import java.util.Optional;

/**
 * The outcome of placement: the chosen node, or none with the reason each node was rejected.
 *
 * @param nodeId     chosen node id, or null when nothing fits
 * @param rejections node id → why it was rejected (empty when a node was chosen)
 */
public record PlacementDecision(String nodeId, Map<String, String> rejections) {

    public PlacementDecision {
        rejections = rejections == null ? Map.of() : Map.copyOf(rejections);
    }

    public static PlacementDecision placed(String nodeId) {
        return new PlacementDecision(nodeId, Map.of());
    }

    public static PlacementDecision unplaceable(Map<String, String> rejections) {
        return new PlacementDecision(null, rejections);
    }

    public Optional<String> node() {
        return Optional.ofNullable(nodeId);
    }
}
