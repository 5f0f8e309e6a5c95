package dev.berth.core.instance;

import dev.berth.core.billing.Entitlement;

import java.time.Instant;

/**
 * One app for one tenant on one plan. Secrets are not part of this value; see
 * {@code InstanceService.credentials(id)} for the one hand-over.
 *
 * @param id                Berth's id
 * @param tenantId          owner
 * @param appId             catalog app id
 * @param appVersion        pinned app version
 * @param planId            plan
 * @param slug              short DNS-safe name
 * @param hostname          public host name
 * @param nodeId            node it is placed on, or null before placement
 * @param state             lifecycle state
 * @param stateReason       why it is QUEUED or FAILED (per-node rejections, the failing step), or null
 * @param suspensionReason  why it is suspended, or null
 * @param entitlement       what billing allows
 * @param activeOperationId the operation in flight, or null
 * @param createdAt         creation time
 * @param updatedAt         last change
 */
public record Instance(String id, String tenantId, String appId, String appVersion, String planId, String slug,
                       String hostname, String nodeId, InstanceState state, String stateReason,
                       SuspensionReason suspensionReason, Entitlement entitlement, String activeOperationId,
                       Instant createdAt, Instant updatedAt) {

    /** The public URL the customer opens. */
    public String url() {
        return "https://" + hostname;
    }
}
