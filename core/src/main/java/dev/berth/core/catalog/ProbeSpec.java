package dev.berth.core.catalog;

import java.time.Duration;

/**
 * How to tell that a component serves: an HTTP GET on {@code path} answering 2xx, or, when {@code path} is
 * {@code null}, a TCP connect to {@code port}.
 *
 * @param path    HTTP path starting with "/", or {@code null} for a TCP probe
 * @param port    port to probe; must be one of the component's ports
 * @param timeout how long to wait for the first success after start; {@code null} means 2 minutes, because
 *                first starts run database migrations and are much slower than restarts
 */
public record ProbeSpec(String path, int port, Duration timeout) {

    /** Used when a template leaves the timeout out. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    public ProbeSpec {
        if (timeout == null) {
            timeout = DEFAULT_TIMEOUT;
        }
    }
}
