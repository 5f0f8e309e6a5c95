package dev.berth.proxmox.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.wait.Poll;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sends one API request and returns its {@code data}, resending it only when that is safe: a connection that was
 * never made (any verb, when the caller allows transient retries), a {@code GET} that failed in transit, a 401
 * answered before the handler ran (once, with a fresh ticket), or a transient dispatch error
 * ({@link ProxmoxErrors#transientDispatch}). Other errors become Berth's typed exceptions.
 */
final class ApiTransport {

    private static final Logger LOG = LoggerFactory.getLogger(ApiTransport.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OkHttpClient http;
    private final HttpUrl apiBase;
    private final TicketAuth auth;
    private final int dispatchAttempts;
    private final Duration retryBackoff;

    ApiTransport(OkHttpClient http, HttpUrl apiBase, TicketAuth auth, int dispatchAttempts, Duration retryBackoff) {
        this.http = http;
        this.apiBase = apiBase;
        this.auth = auth;
        this.dispatchAttempts = dispatchAttempts;
        this.retryBackoff = retryBackoff;
    }

    JsonNode send(String method, String path, Map<String, ?> params, boolean retryTransient) {
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
            if (answer.status == 401 && auth.usesTickets() && !reauthenticated) {
                // an expired or revoked ticket: a 401 is answered before the handler runs, so resending is safe
                reauthenticated = true;
                auth.invalidateTicket();
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
        auth.authenticate(rb, !method.equals("GET"));
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
        Poll.pause(retryBackoff.multipliedBy(1L << Math.min(attempt - 1, 6)), "Proxmox");
    }

    String hostAndPort() {
        return apiBase.host() + ":" + apiBase.port();
    }

    void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    private record Answer(int status, String reason, JsonNode body) { }
}
