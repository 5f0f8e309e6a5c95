package dev.berth.core.tenant;

import java.time.Instant;

/**
 * The operator's customer.
 *
 * @param id         Berth's id
 * @param externalId the portal's id for the customer (unique)
 * @param email      where notifications go
 * @param name       display name
 * @param status     active or disabled
 * @param createdAt  when it was created
 */
public record Tenant(String id, String externalId, String email, String name, TenantStatus status, Instant createdAt) {

    /** Whether the tenant may get new instances. */
    public enum TenantStatus { ACTIVE, DISABLED }
}
