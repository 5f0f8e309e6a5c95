package dev.berth.examples.server.api;

import dev.berth.core.billing.Entitlement;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.SuspensionReason;

import java.time.Instant;

/**
 * An instance as the portal's "my instances" page shows it: URL, status, plan and app version first.
 *
 * @param id                instance id
 * @param tenantId          owner
 * @param url               public URL
 * @param status            lifecycle state
 * @param planId            plan
 * @param appId             app
 * @param appVersion        app version
 * @param slug              DNS label of the instance
 * @param hostname          public host name
 * @param nodeId            node, or null before placement
 * @param statusReason      why it is QUEUED or FAILED, or null
 * @param suspensionReason  why it is suspended, or null
 * @param entitlement       what billing allows
 * @param activeOperationId operation in flight, or null
 * @param createdAt         creation time
 * @param updatedAt         last change
 */
public record InstanceView(String id, String tenantId, String url, InstanceState status, String planId, String appId,
                           String appVersion, String slug, String hostname, String nodeId, String statusReason,
                           SuspensionReason suspensionReason, Entitlement entitlement, String activeOperationId,
                           Instant createdAt, Instant updatedAt) {

    /** The view of an instance. */
    public static InstanceView of(Instance i) {
        return new InstanceView(i.id(), i.tenantId(), i.url(), i.state(), i.planId(), i.appId(), i.appVersion(), i.slug(),
                i.hostname(), i.nodeId(), i.stateReason(), i.suspensionReason(), i.entitlement(), i.activeOperationId(),
                i.createdAt(), i.updatedAt());
    }
}
