package dev.berth.core.placement;

import java.util.List;

/**
 * Chooses a node for a new instance. Pure function of its inputs (no I/O), so that the engine can call it
 * inside the transaction that records the placement; must be deterministic for equal inputs (ties broken by
 * node id) so placements are reproducible.
 */
public interface PlacementStrategy {

    /** Short name used in configuration ("least-instances"). */
    String name();

    /**
     * Picks a node among {@code candidates} or explains, per node, why none fits.
     */
    PlacementDecision place(PlacementRequest request, List<NodeCandidate> candidates);
}
