package dev.berth.core.dns.cloudflare;

import dev.berth.spi.SecretValue;
import dev.berth.spi.error.InvalidSpecException;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How Berth manages instance DNS records in one Cloudflare zone.
 *
 * @param apiToken       API token with the Zone.DNS edit permission on the zone (sent as a bearer token)
 * @param zoneId         the zone's id (the 32-character id on the zone's overview page)
 * @param apiBase        API root; {@link #DEFAULT_API_BASE} unless testing against a local server
 * @param proxied        whether records go through Cloudflare's proxy (orange cloud)
 * @param ttl            record TTL in seconds, 60-86400, or 1 (or 0) for "automatic" (required when proxied)
 * @param wildcard       the operator keeps one wildcard record ({@code *.baseDomain}) in the zone and Berth creates
 *                       no per-instance record
 * @param requestTimeout timeout of one HTTP call
 * @param maxRateLimitWait longest wait Berth honours in-line when Cloudflare answers 429; a longer Retry-After
 *                       is handed to the engine as a retryable error carrying the delay
 */
public record CloudflareSettings(SecretValue apiToken, String zoneId, URI apiBase, boolean proxied, int ttl,
                                 boolean wildcard, Duration requestTimeout, Duration maxRateLimitWait) {

    /** Cloudflare's v4 API. */
    public static final URI DEFAULT_API_BASE = URI.create("https://api.cloudflare.com/client/v4/");

    public CloudflareSettings {
        if (!wildcard && apiToken == null) {
            throw new InvalidSpecException("dns.cloudflare.apiToken", "is required");
        }
        if (!wildcard && (zoneId == null || !zoneId.matches("[A-Za-z0-9]{1,64}"))) {
            throw new InvalidSpecException("dns.cloudflare.zoneId", "must be the zone's id (letters and digits)");
        }
        apiBase = Objects.requireNonNullElse(apiBase, DEFAULT_API_BASE);
        if (!"https".equals(apiBase.getScheme()) && !"http".equals(apiBase.getScheme())) {
            throw new InvalidSpecException("dns.cloudflare.apiBase", "must be an http(s) URL");
        }
        if (ttl == 0) {
            ttl = 1; // left out of a configuration file: automatic
        }
        if (ttl != 1 && (ttl < 60 || ttl > 86400)) {
            throw new InvalidSpecException("dns.cloudflare.ttl", "must be 1 (automatic) or 60-86400 seconds");
        }
        if (proxied && ttl != 1) {
            // Cloudflare ignores the TTL of proxied records; refusing it makes the configuration say what happens
            throw new InvalidSpecException("dns.cloudflare.ttl", "must be 1 (automatic) when records are proxied");
        }
        requestTimeout = Objects.requireNonNullElse(requestTimeout, Duration.ofSeconds(30));
        maxRateLimitWait = Objects.requireNonNullElse(maxRateLimitWait, Duration.ofSeconds(60));
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new InvalidSpecException("dns.cloudflare.requestTimeout", "must be positive");
        }
        if (maxRateLimitWait.isNegative()) {
            throw new InvalidSpecException("dns.cloudflare.maxRateLimitWait", "must not be negative");
        }
    }

    /** Per-instance records, not proxied, automatic TTL, default timeouts. */
    public static CloudflareSettings of(SecretValue apiToken, String zoneId) {
        return new CloudflareSettings(apiToken, zoneId, null, false, 1, false, null, null);
    }

    /** Wildcard mode: the operator's {@code *.baseDomain} record serves every instance. */
    public static CloudflareSettings wildcardMode() {
        return new CloudflareSettings(null, null, null, false, 1, true, null, null);
    }

    public CloudflareSettings withApiBase(URI base) {
        return new CloudflareSettings(apiToken, zoneId, base, proxied, ttl, wildcard, requestTimeout, maxRateLimitWait);
    }

    public CloudflareSettings withProxied(boolean proxy, int recordTtl) {
        return new CloudflareSettings(apiToken, zoneId, apiBase, proxy, recordTtl, wildcard, requestTimeout, maxRateLimitWait);
    }
}
