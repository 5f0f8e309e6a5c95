package dev.berth.docker.create;

import dev.berth.spi.ComponentSpec;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.wait.Poll;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Waits for a component's readiness probe (HTTP GET answering 2xx, or a TCP connect) on the container's
 * address in its instance network. Berth must therefore reach the instance networks, which holds when it runs
 * on the Docker host itself (the single-VM set-up) or on a host routed to the container networks.
 */
final class ReadinessProbe {

    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(50);

    // HTTP/1.1: the JDK client otherwise asks a plain-HTTP server to upgrade to h2c, and Node's server (n8n) leaves
    // such a request unanswered, so the probe timed out against an app that was ready
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(ATTEMPT_TIMEOUT).build();

    /**
     * Polls until the probe succeeds or {@code timeout} passes. {@code address} gives the container's current
     * IP (empty while it has none, e.g. when it is restarting); {@code watch} runs before each try and throws
     * to end the wait at once (a component that crashed will not become ready).
     *
     * @throws NotReadyException when the deadline passes
     */
    void await(String what, ComponentSpec.Readiness probe, Supplier<Optional<String>> address, Duration timeout, Runnable watch) {
        // the last failure, so that the timeout says why the component was not ready
        AtomicReference<String> last = new AtomicReference<>("no address yet");
        Poll.every(POLL).atMost(timeout).untilTrue(() -> {
            watch.run();
            Optional<String> ip = address.get();
            if (ip.isEmpty()) {
                return false;
            }
            Optional<String> failure = attempt(ip.get(), probe);
            failure.ifPresent(last::set);
            return failure.isEmpty();
        }, () -> new NotReadyException(what + " did not pass its readiness probe within " + timeout + " (" + last.get() + ")"));
    }

    /** One try; empty on success, else why it failed. */
    Optional<String> attempt(String ip, ComponentSpec.Readiness probe) {
        try {
            if (probe.path() == null) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(ip, probe.port()), (int) ATTEMPT_TIMEOUT.toMillis());
                }
                return Optional.empty();
            }
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + ip + ":" + probe.port() + probe.path()))
                    .timeout(ATTEMPT_TIMEOUT).GET().build();
            int code = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
            return code >= 200 && code < 300 ? Optional.empty() : Optional.of("HTTP " + code);
        } catch (IOException e) {
            return Optional.of(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while probing readiness");
        }
    }
}
