package dev.berth.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.core.store.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input suite: each rejected request gets the right status and a problem document naming the field, and a
 * snapshot of every table taken before the bad requests equals one taken after them.
 */
class BadInputTest {

    @TempDir
    static Path dataDir;
    static BerthServer server;
    static ApiClient admin;
    static ApiClient portal;
    static String tenantId;
    static String instanceId;

    @BeforeAll
    static void start() {
        // a budget the setup stays well within; the rate-limit case exhausts it with a key of its own.
        // Recurring jobs are pushed out so that nothing in the background writes during the comparison.
        server = TestServers.memory(dataDir, Map.of("BERTH_HTTP_RATE_LIMIT_REQUESTS_PER_MINUTE", "60",
                "BERTH_HTTP_RATE_LIMIT_BURST", "200", "BERTH_ENGINE_JOB_INTERVAL", "PT1H"));
        admin = TestServers.admin(server);
        var t = admin.post("/api/v1/tenants", "{\"externalId\":\"bad-input\",\"email\":\"a@example.com\",\"name\":\"Ada\"}");
        tenantId = t.json().get("id").asText();
        var p = ServerApiTestSupport.provisionAndWait(admin, tenantId);
        instanceId = p;
        portal = admin.withKey(admin.post("/api/v1/keys", "{\"name\":\"portal\",\"scope\":\"PORTAL\"}").json().get("secret").asText());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** One bad request and what it must get. */
    record Case(String name, Supplier<ApiClient.Response> request, int status, String type, String field) { }

    @Test
    void every_bad_request_is_rejected_with_a_problem_and_changes_nothing() throws Exception {
        String limited = admin.post("/api/v1/keys", "{\"name\":\"limited\",\"scope\":\"PORTAL\"}").json().get("secret").asText();
        String unknownTenant = UUID.randomUUID().toString();
        String big = "{\"externalId\":\"x\",\"email\":\"a@example.com\",\"name\":\"" + "a".repeat(70_000) + "\"}";
        List<Case> cases = List.of(
                new Case("malformed JSON", () -> admin.post("/api/v1/tenants", "{\"externalId\": \"x\", "), 400, "bad-request", "body"),
                new Case("duplicate key", () -> admin.post("/api/v1/tenants",
                        "{\"externalId\":\"x\",\"externalId\":\"y\",\"email\":\"a@example.com\",\"name\":\"A\"}"), 400, "bad-request", "body"),
                new Case("unknown field", () -> admin.post("/api/v1/tenants",
                        "{\"externalId\":\"x\",\"email\":\"a@example.com\",\"nmae\":\"A\"}"), 422, "validation", "nmae"),
                new Case("unknown nested field", () -> admin.post("/api/v1/plans",
                        "{\"id\":\"p\",\"name\":\"P\",\"resources\":{\"cpu\":1,\"cpuRequestMillis\":1,\"cpuLimitMillis\":1,"
                                + "\"memoryRequestBytes\":67108864,\"memoryLimitBytes\":67108864,\"diskBytes\":1}}"), 422, "validation",
                        "resources.cpu"),
                new Case("missing number", () -> admin.post("/api/v1/plans",
                        "{\"id\":\"p\",\"name\":\"P\",\"resources\":{\"cpuRequestMillis\":null}}"), 422, "validation",
                        "resources.cpuRequestMillis"),
                new Case("wrong type", () -> admin.post("/api/v1/tenants",
                        "{\"externalId\":\"x\",\"email\":[1],\"name\":\"A\"}"), 422, "validation", "email"),
                new Case("not JSON", () -> admin.send("POST", "/api/v1/tenants", "externalId=x",
                        Map.of("Content-Type", "application/x-www-form-urlencoded")), 415, "unsupported-media-type", "Content-Type"),
                new Case("oversized body", () -> admin.post("/api/v1/tenants", big), 413, "content-too-large", "body"),
                new Case("invalid email", () -> admin.post("/api/v1/tenants",
                        "{\"externalId\":\"x\",\"email\":\"not-an-email\",\"name\":\"A\"}"), 422, "validation", "email"),
                new Case("invalid plan slug", () -> admin.post("/api/v1/plans",
                        "{\"id\":\"Bad_Plan\",\"name\":\"P\",\"resources\":{\"cpuRequestMillis\":1,\"cpuLimitMillis\":1,"
                                + "\"memoryRequestBytes\":67108864,\"memoryLimitBytes\":67108864,\"diskBytes\":1}}"), 422, "validation", "id"),
                new Case("invalid plan resources", () -> admin.post("/api/v1/plans",
                        "{\"id\":\"p\",\"name\":\"P\",\"resources\":{\"cpuRequestMillis\":2,\"cpuLimitMillis\":1,"
                                + "\"memoryRequestBytes\":67108864,\"memoryLimitBytes\":67108864,\"diskBytes\":1}}"), 422, "validation",
                        "resources.cpuRequestMillis"),
                new Case("invalid slug in path", () -> admin.get("/api/v1/plans/Not..A_Slug"), 400, "bad-request", "planId"),
                new Case("invalid node id", () -> admin.post("/api/v1/nodes", "{\"id\":\"-node\",\"providerKind\":\"memory\","
                        + "\"capacity\":{\"cpuMillis\":1,\"memoryBytes\":1,\"diskBytes\":1}}"), 422, "validation", "id"),
                new Case("invalid host name", () -> admin.post("/api/v1/nodes", "{\"id\":\"n2\",\"providerKind\":\"memory\","
                        + "\"capacity\":{\"cpuMillis\":1,\"memoryBytes\":1,\"diskBytes\":1},\"publicAddress\":\"evil;rm -rf /\"}"),
                        422, "validation", "publicAddress"),
                new Case("invalid label", () -> admin.post("/api/v1/nodes", "{\"id\":\"n2\",\"providerKind\":\"memory\","
                        + "\"capacity\":{\"cpuMillis\":1,\"memoryBytes\":1,\"diskBytes\":1},\"labels\":{\"Region\":\"eu\"}}"),
                        422, "validation", "labels.Region"),
                new Case("invalid plan id in change-plan", () -> admin.post("/api/v1/instances/" + instanceId + "/change-plan",
                        "{\"planId\":\"PRO!\"}"), 422, "validation", "planId"),
                new Case("unknown plan", () -> provision(admin, tenantId, "nope", "k-unknown-plan"), 422, "validation", "planId"),
                new Case("unknown app", () -> admin.send("POST", "/api/v1/instances", "{\"tenantId\":\"" + tenantId
                        + "\",\"appId\":\"nope\",\"planId\":\"basic\"}", Map.of("Idempotency-Key", "k-app")), 422, "validation", "appId"),
                new Case("unknown tenant", () -> provision(admin, unknownTenant, "basic", "k-unknown-tenant"), 422, "validation", "tenantId"),
                new Case("unknown tenant by id", () -> admin.get("/api/v1/tenants/" + unknownTenant), 404, "not-found", null),
                new Case("unknown instance", () -> admin.post("/api/v1/instances/" + UUID.randomUUID() + "/suspend", null), 404, "not-found", null),
                new Case("licence not acknowledged", () -> admin.send("POST", "/api/v1/instances", "{\"tenantId\":\"" + tenantId
                        + "\",\"appId\":\"n8n\",\"planId\":\"basic\"}", Map.of("Idempotency-Key", "k-n8n")), 422, "validation",
                        "licenceAcknowledgements"),
                new Case("missing idempotency key", () -> admin.post("/api/v1/instances",
                        "{\"tenantId\":\"" + tenantId + "\",\"appId\":\"ghost\",\"planId\":\"basic\"}"), 400, "bad-request", "Idempotency-Key"),
                new Case("idempotency key reused for another plan", () -> provision(admin, tenantId, "pro", "bad-input-order"),
                        409, "already-exists", null),
                new Case("illegal transition", () -> admin.post("/api/v1/instances/" + instanceId + "/resume", null), 409,
                        "illegal-transition", null),
                new Case("unsupported version", () -> admin.post("/api/v1/instances/" + instanceId + "/upgrade",
                        "{\"version\":\"99.0.0\"}"), 422, "validation", "version"),
                new Case("tenant delete while instances live", () -> admin.delete("/api/v1/tenants/" + tenantId), 409, "conflict", null),
                new Case("missing key", () -> admin.withKey(null).get("/api/v1/tenants"), 401, "unauthorized", "Authorization"),
                new Case("wrong key", () -> admin.withKey("berth_000000000000_" + "A".repeat(43)).get("/api/v1/tenants"), 401,
                        "unauthorized", "Authorization"),
                new Case("garbage key", () -> admin.withKey("hunter2").get("/api/v1/tenants"), 401, "unauthorized", "Authorization"),
                new Case("wrong scope", () -> portal.post("/api/v1/nodes", "{}"), 403, "forbidden", "Authorization"),
                new Case("tenant key without tenant", () -> admin.post("/api/v1/keys", "{\"name\":\"d\",\"scope\":\"TENANT\"}"),
                        400, "bad-request", "tenantId"),
                new Case("tenant key for a malformed tenant id", () -> admin.post("/api/v1/keys",
                        "{\"name\":\"d\",\"scope\":\"TENANT\",\"tenantId\":\"cus_1\"}"), 400, "bad-request", "tenantId"),
                new Case("tenant key for an unknown tenant", () -> admin.post("/api/v1/keys",
                        "{\"name\":\"d\",\"scope\":\"TENANT\",\"tenantId\":\"" + unknownTenant + "\"}"), 404, "not-found", "tenantId"),
                new Case("portal key bound to a tenant", () -> admin.post("/api/v1/keys",
                        "{\"name\":\"d\",\"scope\":\"PORTAL\",\"tenantId\":\"" + tenantId + "\"}"), 400, "bad-request", "tenantId"),
                new Case("unknown scope", () -> admin.post("/api/v1/keys", "{\"name\":\"d\",\"scope\":\"ROOT\"}"), 422, "validation", "scope"),
                new Case("unknown route", () -> admin.get("/api/v1/nothing"), 404, "not-found", null),
                new Case("rate limit", () -> exhaust(admin.withKey(limited)), 429, "rate-limited", null));

        DataSourceHolder db = new DataSourceHolder(server.injector().getInstance(Database.class));
        DatabaseSnapshot.awaitQuiet(db.db.dataSource());
        var before = DatabaseSnapshot.take(db.db.dataSource());
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            ApiClient.Response r = c.request().get();
            JsonNode p = r.json();
            String got = r.status() + " " + r.contentType() + " " + r.text();
            if (r.status() != c.status()) failures.add(c.name() + ": expected " + c.status() + ", got " + got);
            else if (!"application/problem+json".equals(r.contentType())) failures.add(c.name() + ": not a problem: " + got);
            else if (!("urn:berth:problem:" + c.type()).equals(p.path("type").asText())) failures.add(c.name() + ": type " + got);
            else if (c.field() != null && !c.field().equals(p.path("field").asText())) failures.add(c.name() + ": field " + got);
            else if (p.path("status").asInt() != c.status() || p.path("detail").asText().isBlank()
                    || p.path("requestId").asText().isBlank()) failures.add(c.name() + ": incomplete problem " + got);
            else if (c.status() == 429 && r.header("Retry-After") == null) failures.add(c.name() + ": no Retry-After");
            else if (c.status() == 401 && r.header("WWW-Authenticate") == null) failures.add(c.name() + ": no WWW-Authenticate");
        }
        var after = DatabaseSnapshot.take(db.db.dataSource());
        assertThat(failures).isEmpty();
        assertThat(after).isEqualTo(before);
        assertThat(before.get("instances")).hasSize(1);
    }

    @Test
    void an_oversized_chunked_body_is_refused_too() throws Exception {
        byte[] big = ("{\"externalId\":\"x\",\"email\":\"a@example.com\",\"name\":\"" + "a".repeat(200_000) + "\"}").getBytes();
        DatabaseSnapshot.awaitQuiet(server.injector().getInstance(Database.class).dataSource());
        var before = DatabaseSnapshot.take(server.injector().getInstance(Database.class).dataSource());
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.localUri().resolve("/api/v1/tenants"))
                .header("Authorization", "Bearer " + server.firstAdminKey().orElseThrow().reveal())
                .header("Content-Type", "application/json")
                // no length: sent chunked, so only the server's read limit can stop it
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(DatabaseSnapshot.take(server.injector().getInstance(Database.class).dataSource())).isEqualTo(before);
    }

    private record DataSourceHolder(Database db) { }

    private static ApiClient.Response provision(ApiClient client, String tenant, String plan, String key) {
        return client.send("POST", "/api/v1/instances",
                "{\"tenantId\":\"" + tenant + "\",\"appId\":\"ghost\",\"planId\":\"" + plan + "\"}", Map.of("Idempotency-Key", key));
    }

    /** Spends the key's burst; returns the first refused response (or the last one when none was refused). */
    private static ApiClient.Response exhaust(ApiClient client) {
        ApiClient.Response r = null;
        for (int i = 0; i < 260; i++) {
            r = client.get("/api/v1/plans");
            if (r.status() == 429) {
                assertThat(i).as("requests allowed before the limit").isGreaterThanOrEqualTo(200);
                return r;
            }
        }
        return r;
    }
}
