package dev.berth.core.instance;

import dev.berth.spi.error.InvalidSpecException;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * A request for a new instance.
 *
 * @param tenantId       owner
 * @param appId          catalog app id ("n8n")
 * @param planId         plan id
 * @param idempotencyKey the caller's key: the same key for the same tenant always yields the same instance
 * @param appVersion     version to install, or null for the app's default
 * @param requiredLabels node labels the tenant asks for ("region" → "eu"): the instance is only placed on nodes
 *                       carrying all of them
 */
public record ProvisionCommand(String tenantId, String appId, String planId, String idempotencyKey, String appVersion,
                               Map<String, String> requiredLabels) {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?");

    /** A request without label requirements. */
    public ProvisionCommand(String tenantId, String appId, String planId, String idempotencyKey, String appVersion) {
        this(tenantId, appId, planId, idempotencyKey, appVersion, Map.of());
    }

    public ProvisionCommand {
        require("tenantId", tenantId);
        require("appId", appId);
        require("planId", planId);
        require("idempotencyKey", idempotencyKey);
        if (idempotencyKey.length() > 200) {
            throw new InvalidSpecException("idempotencyKey", "must be at most 200 characters");
        }
        requiredLabels = requiredLabels == null ? Map.of() : requiredLabels;
        for (Map.Entry<String, String> label : requiredLabels.entrySet()) {
            if (label.getKey() == null || !LABEL.matcher(label.getKey()).matches() || label.getValue() == null
                    || label.getValue().isBlank() || label.getValue().length() > 63) {
                throw new InvalidSpecException("requiredLabels", "'" + label.getKey() + "' must be a lower-case label name with a 1-63 character value");
            }
        }
        requiredLabels = Map.copyOf(requiredLabels);
    }

    private static void require(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidSpecException(field, "is required");
        }
    }
}
