package dev.berth.proxmox.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.UnavailableException;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Proxmox VE API client on OkHttp + Jackson. It speaks {@code /api2/json}, authenticates with an API token or
 * a ticket (renewed before it expires, re-obtained after a 401), trusts the cluster CA or a pinned certificate,
 * turns error answers into core's typed exceptions, and runs tasks to the end:
 * <ul>
 *   <li>{@link #startTask} sends the request that creates a task and returns its {@link Upid}. Only this
 *       dispatch is retried, and only when nothing can have started (transient 5xx such as
 *       {@code got no worker upid} or a flock {@code got timeout}, or a connection that was never made).</li>
 *   <li>{@link #awaitTask} polls the task on the node named in the UPID until it stops; {@code OK} and
 *       {@code WARNINGS: n} are success, anything else is a {@link TaskFailedException}, never retried here.</li>
 * </ul>
 * The work is split between {@link ApiTransport} (requests, retries), {@link TicketAuth} (credentials, tickets)
 * and {@link TaskWaiter} (task polling); this class wires them and is the module's single entry point to the API.
 * Thread-safe. Nothing secret (token, password, ticket, request parameters) is ever logged.
 */
public final class ProxmoxClient implements AutoCloseable {

    private final ApiTransport transport;
    private final TaskWaiter tasks;

    private ProxmoxClient(Builder b) {
        HttpUrl base = HttpUrl.get(b.baseUrl.toString());
        HttpUrl apiBase = base.newBuilder().encodedPath("/api2/json/").build();
        ProxmoxCredentials credentials = Objects.requireNonNull(b.credentials, "credentials");
        OkHttpClient.Builder hb = new OkHttpClient.Builder()
                .connectTimeout(b.connectTimeout)
                .readTimeout(b.readTimeout)
                .writeTimeout(b.readTimeout)
                .retryOnConnectionFailure(false); // retries are decided in ApiTransport, per verb
        if (base.isHttps()) {
            TlsSetup tls = TlsSetup.of(b.tls);
            hb.sslSocketFactory(tls.socketFactory(), tls.trustManager());
            if (tls.hostnameVerifier() != null) {
                hb.hostnameVerifier(tls.hostnameVerifier());
            }
        }
        OkHttpClient http = hb.build();
        TicketAuth auth = new TicketAuth(credentials, http, apiBase, b.clock, b.ticketRenewAfter);
        this.transport = new ApiTransport(http, apiBase, auth, b.dispatchAttempts, b.retryBackoff);
        this.tasks = new TaskWaiter(transport, b.pollInterval, b.maxPollInterval);
    }

    /** A builder for a cluster reached at {@code baseUrl} ({@code https://pve1.example.com:8006}). */
    public static Builder builder(URI baseUrl) {
        return new Builder(baseUrl);
    }

    // ------------------------------------------------------------------------------------------ plain calls

    /** {@code GET} a path (relative to {@code /api2/json}) and return its {@code data}. */
    public JsonNode get(String path, Map<String, ?> query) {
        return transport.send("GET", path, query, true);
    }

    /** A synchronous {@code PUT} (e.g. {@code …/config}); returns {@code data}. */
    public JsonNode put(String path, Map<String, ?> params) {
        return transport.send("PUT", path, params, false);
    }

    /** A synchronous {@code POST}; returns {@code data}. */
    public JsonNode post(String path, Map<String, ?> params) {
        return transport.send("POST", path, params, false);
    }

    // ------------------------------------------------------------------------------------------ tasks

    /**
     * Sends a request that starts a task and returns its UPID. Retried only while the server cannot have
     * started anything (see the class comment).
     */
    public Upid startTask(String method, String path, Map<String, ?> params) {
        JsonNode data = transport.send(method, path, params, true);
        if (data == null || !data.isTextual()) {
            throw new BerthException(method + " " + path + " returned no task id", false);
        }
        return Upid.parse(data.asText());
    }

    /**
     * Polls the task on its own node until it stops. Success ({@code OK}, {@code WARNINGS: n}) returns the
     * status; any other exit status throws {@link TaskFailedException} (retryable only when the container was
     * locked, which resolves by itself).
     *
     * @throws UnavailableException when the task still runs after {@code timeout}
     */
    public TaskStatus awaitTask(Upid upid, Duration timeout) {
        return tasks.await(upid, timeout);
    }

    /** {@link #startTask} then {@link #awaitTask}. */
    public TaskStatus runTask(String method, String path, Map<String, ?> params, Duration timeout) {
        return awaitTask(startTask(method, path, params), timeout);
    }

    /** The task's log lines (for error context). */
    public List<String> taskLog(Upid upid) {
        JsonNode data = get("nodes/" + upid.node() + "/tasks/" + upid.value() + "/log", Map.of("limit", 500));
        List<String> lines = new ArrayList<>();
        data.forEach(n -> lines.add(n.path("t").asText()));
        return lines;
    }

    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return "ProxmoxClient[" + transport.hostAndPort() + "]";
    }

    /** Settings of a {@link ProxmoxClient}; defaults follow the reference clients (1 s polling, 3 dispatch attempts). */
    public static final class Builder {
        private final URI baseUrl;
        private ProxmoxCredentials credentials;
        private TlsTrust tls = new TlsTrust.SystemDefault();
        private Clock clock = Clock.systemUTC();
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration maxPollInterval = Duration.ofSeconds(5);
        private Duration connectTimeout = Duration.ofSeconds(10);
        // the node-to-node proxy gives up after 30 s, so waiting longer only hides a 596
        private Duration readTimeout = Duration.ofSeconds(35);
        private int dispatchAttempts = 3;
        private Duration retryBackoff = Duration.ofSeconds(1);
        private Duration ticketRenewAfter = Duration.ofHours(1);

        private Builder(URI baseUrl) {
            if (baseUrl == null || baseUrl.getScheme() == null || baseUrl.getHost() == null) {
                throw new InvalidSpecException("url", "must be an absolute URL like https://pve1:8006");
            }
            this.baseUrl = baseUrl;
        }

        /** How to authenticate (required). */
        public Builder credentials(ProxmoxCredentials credentials) {
            this.credentials = credentials;
            return this;
        }

        /** Which certificates to trust; default the JVM trust store. */
        public Builder tls(TlsTrust tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** Clock for ticket age (task deadlines are measured by {@link dev.berth.spi.wait.Poll} on the JVM's timer). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** First task poll interval (doubles per poll up to {@code max}). */
        public Builder pollInterval(Duration first, Duration max) {
            this.pollInterval = first;
            this.maxPollInterval = max;
            return this;
        }

        /** Connect and read timeouts. */
        public Builder timeouts(Duration connect, Duration read) {
            this.connectTimeout = connect;
            this.readTimeout = read;
            return this;
        }

        /** How often a task dispatch is attempted at most, and the first backoff (doubling). */
        public Builder dispatchRetries(int attempts, Duration backoff) {
            if (attempts < 1) {
                throw new InvalidSpecException("dispatchAttempts", "must be at least 1");
            }
            this.dispatchAttempts = attempts;
            this.retryBackoff = backoff;
            return this;
        }

        /** Age after which a ticket is renewed (Proxmox tickets live 2 h); default 1 h. */
        public Builder ticketRenewAfter(Duration age) {
            this.ticketRenewAfter = age;
            return this;
        }

        /** The client; fails when no credentials were given. */
        public ProxmoxClient build() {
            if (credentials == null) {
                throw new InvalidSpecException("credentials", "an API token or a user and password is required");
            }
            return new ProxmoxClient(this);
        }
    }
}
