package dev.berth.core.placement;

import dev.berth.core.node.Capacity;
import dev.berth.core.plan.Isolation;

import java.util.Map;

/**
 * What is being placed.
 *
 * @param instanceId     the instance
 * @param tenantId       its tenant (for anti-affinity)
 * @param providerKind   provider kind the app runs on, or null for any
 * @param demand         resources to account (requests for shared plans, limits for dedicated ones)
 * @param isolation      shared or dedicated
 * @param requiredLabels labels a node must carry ("region" → "eu")
 */
public record PlacementRequest(String instanceId, String tenantId, String providerKind, Capacity demand,
                               Isolation isolation, Map<String, String> requiredLabels) {
    public PlacementRequest {
        requiredLabels = requiredLabels == null ? Map.of() : Map.copyOf(requiredLabels);
    }
}
