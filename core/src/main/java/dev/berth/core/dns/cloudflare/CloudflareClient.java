package dev.berth.core.dns.cloudflare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.RateLimitedException;
import dev.berth.spi.error.UnavailableException;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The few calls of Cloudflare's v4 API that DNS records need, over OkHttp and Jackson. Reads Cloudflare's
 * response envelope ({@code success}, {@code errors[]}, {@code result}) and turns failures into Berth's typed
 * errors; waits out a 429 when Cloudflare's Retry-After is within the configured limit.
 */
final class CloudflareClient {

    private static final Logger log = LoggerFactory.getLogger(CloudflareClient.class);
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** Cloudflare error codes for "the token is missing, malformed, expired or lacks permission". */
    private static final Set<Integer> AUTH_CODES = Set.of(9103, 9106, 9109, 10000, 10001, 6003, 6111);
    /** Error codes for a record that clashes with an existing one (same record, or CNAME next to A/AAAA). */
    private static final Set<Integer> CONFLICT_CODES = Set.of(81053, 81054, 81055, 81056, 81057, 81058);
    /** "Record does not exist" and "Invalid DNS record identifier". */
    private static final Set<Integer> NOT_FOUND_CODES = Set.of(81044, 7003);
    /** How many 429 answers in a row one call waits out before giving up to the engine's retry. */
    private static final int MAX_RATE_LIMIT_RETRIES = 5;

    /** Sleeps between a 429 and the retry; replaced in tests to observe the delay. */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /** A DNS record as Cloudflare represents it. Null fields are left out of requests. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DnsRecord(String id, String type, String name, String content, Boolean proxied, Integer ttl, String comment) { }

    private final CloudflareSettings settings;
    private final OkHttpClient http;
    private final Sleeper sleeper;
    private final HttpUrl records;

    CloudflareClient(CloudflareSettings settings, OkHttpClient http, Sleeper sleeper) {
        this.settings = settings;
        this.http = http;
        this.sleeper = sleeper;
        HttpUrl base = HttpUrl.get(settings.apiBase().toString());
        this.records = base.newBuilder().addPathSegment("zones").addPathSegment(settings.zoneId())
                .addPathSegment("dns_records").build();
    }

    /** Records whose name is exactly {@code name} (every type). */
    List<DnsRecord> list(String name) {
        HttpUrl url = records.newBuilder().addQueryParameter("name", name).addQueryParameter("per_page", "100").build();
        JsonNode result = call(new Request.Builder().url(url).get(), "list records of " + name);
        List<DnsRecord> out = new ArrayList<>();
        for (JsonNode n : result) {
            out.add(JSON.convertValue(n, DnsRecord.class));
        }
        return out;
    }

    DnsRecord create(DnsRecord record) {
        return JSON.convertValue(call(new Request.Builder().url(records).post(body(record)),
                "create " + record.type() + " record " + record.name()), DnsRecord.class);
    }

    DnsRecord update(String id, DnsRecord record) {
        HttpUrl url = records.newBuilder().addPathSegment(id).build();
        return JSON.convertValue(call(new Request.Builder().url(url).put(body(record)),
                "update " + record.type() + " record " + record.name()), DnsRecord.class);
    }

    /** Deletes a record; a record that is already gone counts as deleted. */
    void delete(String id, String name) {
        HttpUrl url = records.newBuilder().addPathSegment(id).build();
        try {
            call(new Request.Builder().url(url).delete(), "delete record " + name);
        } catch (NotFoundException e) {
            log.debug("record {} of {} was already gone", id, name);
        }
    }

    private static RequestBody body(DnsRecord record) {
        try {
            return RequestBody.create(JSON.writeValueAsBytes(record), JSON_TYPE);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a DNS record always serialises", e);
        }
    }

    private JsonNode call(Request.Builder builder, String what) {
        Request request = builder.header("Authorization", "Bearer " + settings.apiToken().reveal())
                .header("Accept", "application/json").build();
        Duration waited = Duration.ZERO;
        for (int attempt = 1; ; attempt++) {
            try (Response response = http.newCall(request).execute()) {
                if (response.code() == 429) {
                    Duration retryAfter = retryAfter(response.header("Retry-After"));
                    if (attempt > MAX_RATE_LIMIT_RETRIES || waited.plus(retryAfter).compareTo(settings.maxRateLimitWait()) > 0) {
                        throw new RateLimitedException("Cloudflare rate limit reached during " + what
                                + "; retry after " + retryAfter.toSeconds() + " s", retryAfter);
                    }
                    log.info("Cloudflare rate limit during {}: waiting {} s as asked", what, retryAfter.toSeconds());
                    sleeper.sleep(retryAfter);
                    waited = waited.plus(retryAfter);
                    continue;
                }
                return envelope(response, what);
            } catch (IOException e) {
                throw new UnavailableException("Cloudflare API unreachable during " + what + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while waiting out Cloudflare's rate limit during " + what);
            }
        }
    }

    private static JsonNode envelope(Response response, String what) throws IOException {
        ResponseBody body = response.body();
        String text = body == null ? "" : body.string();
        JsonNode root;
        try {
            root = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (JsonProcessingException e) {
            root = JSON.createObjectNode();
        }
        boolean success = root.path("success").asBoolean(false);
        if (response.isSuccessful() && success) {
            return root.path("result");
        }
        List<Integer> codes = new ArrayList<>();
        StringBuilder errors = new StringBuilder();
        for (JsonNode e : root.path("errors")) {
            codes.add(e.path("code").asInt());
            if (!errors.isEmpty()) errors.append("; ");
            errors.append(e.path("code").asInt()).append(' ').append(e.path("message").asText());
        }
        String message = "Cloudflare refused to " + what + " (HTTP " + response.code()
                + (errors.isEmpty() ? "" : ": " + errors) + ")";
        int code = response.code();
        if (code >= 500) {
            throw new UnavailableException(message); // Cloudflare's own trouble, whatever code its body names
        }
        if (code == 401 || code == 403 || codes.stream().anyMatch(AUTH_CODES::contains)) {
            throw new AuthenticationException(message + "; check the API token and its Zone.DNS permission");
        }
        if (code == 409 || codes.stream().anyMatch(CONFLICT_CODES::contains)) {
            throw new ConflictException(message);
        }
        if (code == 404 || codes.stream().anyMatch(NOT_FOUND_CODES::contains)) {
            throw new NotFoundException("Cloudflare DNS record", what);
        }
        throw new BerthException(message, false);
    }

    /** Retry-After in seconds (Cloudflare sends seconds); one second when missing or unreadable. */
    private static Duration retryAfter(String header) {
        if (header != null) {
            try {
                return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
            } catch (NumberFormatException e) {
                // an HTTP date: Cloudflare does not send one; fall through to the default
            }
        }
        return Duration.ofSeconds(1);
    }
}
