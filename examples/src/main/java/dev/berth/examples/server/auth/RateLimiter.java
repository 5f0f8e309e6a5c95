package dev.berth.examples.server.auth;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import dev.berth.examples.server.config.ServerConfig;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-API-key request budget: a Bucket4j token bucket of {@code burst} tokens refilled at
 * {@code requestsPerMinute}. In-process: each server process keeps its own buckets.
 */
@Singleton
public final class RateLimiter {

    /**
     * The outcome for one request.
     *
     * @param allowed          whether the request may proceed
     * @param remaining        tokens left
     * @param retryAfterSeconds when refused, whole seconds until a token is back (at least 1)
     */
    public record Decision(boolean allowed, long remaining, long retryAfterSeconds) { }

    private final Bandwidth limit;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    @Inject
    public RateLimiter(ServerConfig config) {
        ServerConfig.RateLimit r = config.http().rateLimit();
        this.limit = Bandwidth.builder().capacity(r.burst()).refillGreedy(r.requestsPerMinute(), Duration.ofMinutes(1)).build();
    }

    /** Takes one token from the key's bucket. */
    public Decision acquire(String keyId) {
        Bucket bucket = buckets.computeIfAbsent(keyId, k -> Bucket.builder().addLimit(limit).build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) return new Decision(true, probe.getRemainingTokens(), 0);
        long seconds = Math.max(1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds()
                + (probe.getNanosToWaitForRefill() % 1_000_000_000L == 0 ? 0 : 1));
        return new Decision(false, 0, seconds);
    }
}
