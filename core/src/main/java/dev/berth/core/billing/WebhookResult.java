package dev.berth.core.billing;

/**
 * How a webhook delivery was handled, for the host's HTTP layer to answer with.
 *
 * @param status  HTTP status to answer: 200 accepted (also for duplicates and ignored types), 400 rejected
 *                (bad signature, stale timestamp, malformed body: nothing was stored), 503 could not be stored
 *                now (the gateway will deliver it again)
 * @param message short reason; never contains a secret or the payload
 */
public record WebhookResult(int status, String message) {

    public static WebhookResult accepted(String message) {
        return new WebhookResult(200, message);
    }

    public static WebhookResult rejected(String message) {
        return new WebhookResult(400, message);
    }

    public static WebhookResult unavailable(String message) {
        return new WebhookResult(503, message);
    }

    /** True for a 2xx answer. */
    public boolean ok() {
        return status / 100 == 2;
    }
}
