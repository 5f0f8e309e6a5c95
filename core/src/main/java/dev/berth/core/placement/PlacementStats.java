package dev.berth.core.placement;

/**
 * How this process's placements went since it started: a high {@code conflicts} to {@code placed} ratio means its
 * fleet snapshot is often out of date (other processes placing on the same nodes).
 *
 * @param placed        instances placed on a node
 * @param queued        placements that found no node with room (the instance was queued or stayed queued)
 * @param conflicts     chosen nodes that turned out not to fit once locked and re-read (each one a retry)
 * @param snapshotLoads times the whole fleet was read to refresh the snapshot
 */
public record PlacementStats(long placed, long queued, long conflicts, long snapshotLoads) {
}
