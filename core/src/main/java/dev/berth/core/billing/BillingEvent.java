package dev.berth.core.billing;

import dev.berth.spi.error.InvalidSpecException;

import java.time.Instant;

/**
 * A gateway-neutral fact about a subscription, fed to {@code Berth.billing().apply(event)}. Gateways derive
 * it from the current subscription state (not from the order of webhooks), so applying the same event twice,
 * or an older one after a newer one, is harmless: the engine keeps the entitlement with the latest
 * {@code observedAt}.
 *
 * @param eventId     the gateway's event id; an id already applied is ignored
 * @param instanceId  the instance the subscription pays for
 * @param entitlement what the subscription allows now
 * @param planId      the plan the subscription is for now (a different plan triggers a plan change), or null
 * @param observedAt  when the gateway observed this state
 */
public record BillingEvent(String eventId, String instanceId, Entitlement entitlement, String planId,
                           Instant observedAt) {
    public BillingEvent {
        if (eventId == null || eventId.isBlank()) throw new InvalidSpecException("eventId", "must not be blank");
        if (instanceId == null || instanceId.isBlank()) throw new InvalidSpecException("instanceId", "must not be blank");
        if (entitlement == null) throw new InvalidSpecException("entitlement", "is required");
        if (observedAt == null) throw new InvalidSpecException("observedAt", "is required");
    }
}
