package dev.berth.core.instance;

import dev.berth.core.error.InvalidSpecException;

/**
 * A request for a new instance.
 *
 * @param tenantId       owner
 * @param appId          catalog app id ("n8n")
 * @param planId         plan id
 * @param idempotencyKey the caller's key: the same key for the same tenant always yields the same instance
 * @param appVersion     version to install, or null for the app's default
 */
public record ProvisionCommand(String tenantId, String appId, String planId, String idempotencyKey, String appVersion) {
    public ProvisionCommand {
        require("tenantId", tenantId);
        require("appId", appId);
        require("planId", planId);
        require("idempotencyKey", idempotencyKey);
        if (idempotencyKey.length() > 200) {
            throw new InvalidSpecException("idempotencyKey", "must be at most 200 characters");
        }
    }

    private static void require(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidSpecException(field, "is required");
        }
    }
}
