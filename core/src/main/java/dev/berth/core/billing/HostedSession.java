package dev.berth.core.billing;

/**
 * A page hosted by the gateway (checkout, customer portal) that the host redirects the customer to.
 *
 * @param id  the gateway's session id
 * @param url where to send the customer
 */
public record HostedSession(String id, String url) {
}
