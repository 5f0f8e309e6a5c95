package dev.berth.proxmox.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * Thread-safe. Nothing secret (token, password, ticket, request parameters) is ever logged.
 */
public final class ProxmoxClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProxmoxClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpUrl apiBase;
    private final ProxmoxCredentials credentials;
    private final OkHttpClient http;
    private final Clock clock;
    private final Duration pollInterval;
    private final Duration maxPollInterval;
    private final int dispatchAttempts;
    private final Duration retryBackoff;
    private final Duration ticketRenewAfter;

    private final Object ticketLock = new Object();
    private Ticket ticket; // guarded by ticketLock

    private ProxmoxClient(Builder b) {
        HttpUrl base = HttpUrl.get(b.baseUrl.toString());
        this.apiBase = base.newBuilder().encodedPath("/api2/json/").build();
        this.credentials = Objects.requireNonNull(b.credentials, "credentials");
        this.clock = b.clock;
        this.pollInterval = b.pollInterval;
        this.maxPollInterval = b.maxPollInterval;
        this.dispatchAttempts = b.dispatchAttempts;
        this.retryBackoff = b.retryBackoff;
        this.ticketRenewAfter = b.ticketRenewAfter;
        OkHttpClient.Builder hb = new OkHttpClient.Builder()
                .connectTimeout(b.connectTimeout)
                .readTimeout(b.readTimeout)
                .writeTimeout(b.readTimeout)
                .retryOnConnectionFailure(false); // retries are decided here, per verb
        if (base.isHttps()) {
            TlsSetup tls = TlsSetup.of(b.tls);
            hb.sslSocketFactory(tls.socketFactory(), tls.trustManager());
            if (tls.hostnameVerifier() != null) {
                hb.hostnameVerifier(tls.hostnameVerifier());
            }
        }
        this.http = hb.build();
    }

    /** A builder for a cluster reached at {@code baseUrl} ({@code https://pve1.example.com:8006}). */
    public static Builder builder(URI baseUrl) {
        return new Builder(baseUrl);
    }

    // ------------------------------------------------------------------------------------------ plain calls

    /** {@code GET} a path (relative to {@code /api2/json}) and return its {@code data}. */
    public JsonNode get(String path, Map<String, ?> query) {
        return send("GET", path, query, true);
    }

    /** A synchronous {@code PUT} (e.g. {@code …/config}); returns {@code data}. */
    public JsonNode put(String path, Map<String, ?> params) {
        return send("PUT", path, params, false);
    }

    /** A synchronous {@code POST}; returns {@code data}. */
    public JsonNode post(String path, Map<String, ?> params) {
        return send("POST", path, params, false);
    }

    // ------------------------------------------------------------------------------------------ tasks

    /**
     * Sends a request that starts a task and returns its UPID. Retried only while the server cannot have
     * started anything (see the class comment).
     */
    public Upid startTask(String method, String path, Map<String, ?> params) {
        JsonNode data = send(method, path, params, true);
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
        Instant deadline = clock.instant().plus(timeout);
        Duration interval = pollInterval;
        int unknownTries = 0;
        String path = "nodes/" + upid.node() + "/tasks/" + upid.value() + "/status";
        while (true) {
            JsonNode st;
            try {
                st = get(path, Map.of());
            } catch (InvalidSpecException | NotFoundException e) {
                // "400 upid: no such task": right after dispatch the task may not be visible yet (bpg retries these)
                boolean unknownTask = !(e instanceof InvalidSpecException ise) || "upid".equals(ise.field());
                if (!unknownTask || ++unknownTries > 5) {
                    throw e;
                }
                st = null;
            }
            if (st != null && "stopped".equals(st.path("status").asText())) {
                TaskStatus status = new TaskStatus(upid, false, st.path("exitstatus").asText("unexpected status"));
                if (!status.succeeded()) {
                    throw new TaskFailedException(upid, status.exitStatus()) {
                        @Override
                        public boolean retryable() {
                            return status.exitStatus().contains("is locked");
                        }
                    };
                }
                return status;
            }
            if (clock.instant().isAfter(deadline)) {
                throw new UnavailableException("task " + upid.type() + " " + upid.id() + " on '" + upid.node()
                        + "' still running after " + timeout);
            }
            sleep(interval);
            long next = Math.min(maxPollInterval.toMillis(), Math.round(interval.toMillis() * 1.5));
            interval = Duration.ofMillis(Math.max(next, 1));
        }
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

    // ------------------------------------------------------------------------------------------ transport

    private JsonNode send(String method, String path, Map<String, ?> params, boolean retryTransient) {
        int attempt = 0;
        boolean reauthenticated = false;
        while (true) {
            attempt++;
            Answer answer;
            try {
                answer = exchange(method, path, params);
            } catch (ConnectException e) {
                // no connection: nothing reached the server, so any verb may be sent again
                if (retryTransient && attempt < dispatchAttempts) {
                    backoff(attempt);
                    continue;
                }
                throw new UnavailableException("cannot reach Proxmox at " + apiBase.host() + ": " + e.getMessage(), e);
            } catch (IOException e) {
                if ("GET".equals(method) && attempt < dispatchAttempts) {
                    backoff(attempt);
                    continue;
                }
                throw new UnavailableException(method + " " + path + " failed in transit: " + e.getMessage(), e);
            }
            if (answer.status < 300) {
                return answer.body == null ? null : answer.body.get("data");
            }
            String what = method + " " + path;
            if (answer.status == 401 && credentials instanceof ProxmoxCredentials.Password && !reauthenticated) {
                // an expired or revoked ticket: a 401 is answered before the handler runs, so resending is safe
                reauthenticated = true;
                invalidateTicket();
                continue;
            }
            String message = answer.body != null && answer.body.hasNonNull("message")
                    ? answer.body.get("message").asText() : answer.reason;
            if (retryTransient && attempt < dispatchAttempts && ProxmoxErrors.transientDispatch(answer.status, message)) {
                LOG.debug("{} answered {} (transient), attempt {} of {}", what, answer.status, attempt, dispatchAttempts);
                backoff(attempt);
                continue;
            }
            throw ProxmoxErrors.fromResponse(answer.status, answer.reason, answer.body, what);
        }
    }

    private Answer exchange(String method, String path, Map<String, ?> params) throws IOException {
        Map<String, String> encoded = encode(params);
        HttpUrl.Builder url = apiBase.newBuilder().addPathSegments(stripSlash(path));
        Request.Builder rb = new Request.Builder();
        boolean hasBody = method.equals("POST") || method.equals("PUT");
        if (!hasBody) {
            // GET and DELETE must not carry a body (pve-http-server answers 501): parameters go in the query
            encoded.forEach(url::addQueryParameter);
            rb.method(method, null);
        } else {
            FormBody.Builder form = new FormBody.Builder(StandardCharsets.UTF_8);
            encoded.forEach(form::add);
            RequestBody body = form.build();
            rb.method(method, body);
        }
        rb.url(url.build());
        authenticate(rb, !method.equals("GET"));
        try (Response response = http.newCall(rb.build()).execute()) {
            ResponseBody rbody = response.body();
            String text = rbody == null ? "" : rbody.string();
            JsonNode json = null;
            if (!text.isBlank()) {
                try {
                    json = JSON.readTree(text);
                } catch (IOException notJson) {
                    json = null; // proxy errors (595/596) come with an empty or HTML body
                }
            }
            LOG.debug("{} {} -> {}", method, path, response.code());
            return new Answer(response.code(), response.message(), json);
        }
    }

    private void authenticate(Request.Builder rb, boolean write) {
        if (credentials instanceof ProxmoxCredentials.ApiToken token) {
            rb.header("Authorization", "PVEAPIToken=" + token.tokenId() + "=" + token.secret().reveal());
            return;
        }
        Ticket t = currentTicket();
        rb.header("Cookie", "PVEAuthCookie=" + URLEncoder.encode(t.ticket.reveal(), StandardCharsets.UTF_8));
        if (write) {
            rb.header("CSRFPreventionToken", t.csrf.reveal());
        }
    }

    private Ticket currentTicket() {
        synchronized (ticketLock) {
            Instant now = clock.instant();
            if (ticket != null && now.isBefore(ticket.obtainedAt.plus(ticketRenewAfter))) {
                return ticket;
            }
            ProxmoxCredentials.Password pw = (ProxmoxCredentials.Password) credentials;
            if (ticket != null) {
                // renew before the 2 h lifetime ends by presenting the current ticket as the password
                try {
                    ticket = login(pw.username(), ticket.ticket);
                    return ticket;
                } catch (AuthenticationException expired) {
                    ticket = null;
                }
            }
            ticket = login(pw.username(), pw.password());
            return ticket;
        }
    }

    private void invalidateTicket() {
        synchronized (ticketLock) {
            ticket = null;
        }
    }

    private Ticket login(String username, SecretValue password) {
        FormBody body = new FormBody.Builder(StandardCharsets.UTF_8)
                .add("username", username)
                .add("password", password.reveal())
                .build();
        Request request = new Request.Builder().url(apiBase.newBuilder().addPathSegments("access/ticket").build())
                .post(body).build();
        try (Response response = http.newCall(request).execute()) {
            ResponseBody rb = response.body();
            String text = rb == null ? "" : rb.string();
            JsonNode json = text.isBlank() ? null : JSON.readTree(text);
            if (!response.isSuccessful()) {
                throw ProxmoxErrors.fromResponse(response.code(), response.message(), json, "POST access/ticket");
            }
            JsonNode data = json == null ? null : json.get("data");
            if (data == null || !data.hasNonNull("ticket") || !data.hasNonNull("CSRFPreventionToken")) {
                throw new AuthenticationException("Proxmox issued no ticket for " + username
                        + (data != null && data.has("NeedTFA") ? " (a second factor is required; use an API token)" : ""));
            }
            LOG.debug("obtained a ticket for {}", username);
            return new Ticket(SecretValue.of(data.get("ticket").asText()),
                    SecretValue.of(data.get("CSRFPreventionToken").asText()), clock.instant());
        } catch (IOException e) {
            throw new UnavailableException("cannot reach Proxmox at " + apiBase.host() + " to log in: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> encode(Map<String, ?> params) {
        Map<String, String> out = new LinkedHashMap<>();
        if (params == null) {
            return out;
        }
        params.forEach((k, v) -> {
            if (v == null) {
                return;
            }
            // Proxmox accepts only 0/1 for booleans in form encoding
            String s = v instanceof Boolean b ? (b ? "1" : "0") : v instanceof SecretValue sv ? sv.reveal() : v.toString();
            out.put(k, s);
        });
        return out;
    }

    private static String stripSlash(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }

    private void backoff(int attempt) {
        sleep(retryBackoff.multipliedBy(1L << Math.min(attempt - 1, 6)));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting for Proxmox", e);
        }
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    @Override
    public String toString() {
        return "ProxmoxClient[" + apiBase.host() + ":" + apiBase.port() + "]";
    }

    private record Answer(int status, String reason, JsonNode body) { }

    private record Ticket(SecretValue ticket, SecretValue csrf, Instant obtainedAt) { }

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

        /** Clock for ticket age and task deadlines. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** First task poll interval (grows ×1.5 per poll up to {@code max}). */
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

        public ProxmoxClient build() {
            if (credentials == null) {
                throw new InvalidSpecException("credentials", "an API token or a user and password is required");
            }
            return new ProxmoxClient(this);
        }
    }
}
