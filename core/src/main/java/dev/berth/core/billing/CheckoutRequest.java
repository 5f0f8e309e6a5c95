package dev.berth.core.billing;

import dev.berth.spi.error.InvalidSpecException;

import java.util.regex.Pattern;

/**
 * A tenant wants to buy {@code planId} for an instance of {@code appId}.
 *
 * @param tenantId   Berth tenant id (travels with the subscription, so the paid instance is provisioned for it)
 * @param planId     Berth plan id; the plan must have a price id for the gateway
 * @param appId      catalog app to provision once paid
 * @param instanceId an existing instance the subscription pays for, or null to provision a new one when paid
 * @param successUrl where the gateway sends the customer after paying
 * @param cancelUrl  where the gateway sends the customer who gives up
 * @param requestKey the caller's key for this purchase (1-100 of {@code [A-Za-z0-9_-]}): a retried call with the
 *                   same key returns the same session
 */
public record CheckoutRequest(String tenantId, String planId, String appId, String instanceId, String successUrl,
                              String cancelUrl, String requestKey) {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    public CheckoutRequest {
        require("tenantId", tenantId);
        require("planId", planId);
        require("appId", appId);
        require("successUrl", successUrl);
        require("cancelUrl", cancelUrl);
        if (requestKey == null || !KEY.matcher(requestKey).matches()) {
            throw new InvalidSpecException("requestKey", "must be 1-100 letters, digits, '_' or '-'");
        }
        if (instanceId != null && instanceId.isBlank()) instanceId = null;
    }

    private static void require(String field, String value) {
        if (value == null || value.isBlank()) throw new InvalidSpecException(field, "is required");
    }
}
