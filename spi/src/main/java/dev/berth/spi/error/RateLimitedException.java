package dev.berth.spi.error;

import java.time.Duration;

/**
 * A remote service refused the call because too many were made (HTTP 429). Retryable, and
 * {@link #retryAfter()} says how long the service asked callers to wait; the engine does not retry sooner.
 */
public class RateLimitedException extends UnavailableException {

    private final Duration retryAfter;

    public RateLimitedException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter == null ? Duration.ZERO : retryAfter;
    }

    public RateLimitedException(String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter == null ? Duration.ZERO : retryAfter;
    }

    /** The wait the service asked for; zero when it named none. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
