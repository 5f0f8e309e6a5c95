package dev.berth.core.node;

import java.time.Instant;

/**
 * One usage sample of a node, as the node job recorded it from its provider.
 *
 * @param nodeId        the node
 * @param observedAt    when
 * @param healthy       whether the check passed
 * @param used          resources in use (all zero when the check failed)
 * @param instanceCount instances on the node
 */
public record NodeUsage(String nodeId, Instant observedAt, boolean healthy, Capacity used, int instanceCount) { }
