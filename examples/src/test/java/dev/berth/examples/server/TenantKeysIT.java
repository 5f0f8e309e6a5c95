package dev.berth.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.store.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.berth.examples.server.ServerApiTestSupport.awaitSucceeded;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * API keys bound to one tenant, over real HTTP against a running server (random port, H2, the in-memory runtime).
 * The centre is a table with a row for every route that takes an API key: a key of tenant A calls it on tenant B's
 * things, and must get the row's status — and exactly the answer it gets for ids that exist nowhere, so that it
 * learns nothing about B — while the database stays as it was.
 */
class TenantKeysIT {

    @TempDir
    static Path dataDir;
    static BerthServer server;
    static ApiClient admin;
    static World a;
    static World b;
    static ApiClient keyOfA;

    /**
     * One tenant's things, or (from {@link #nowhere}) ids of the same shapes that exist nowhere.
     */
    record World(String tenantId, String externalId, String instanceId, String operationId, String backupId, String keyId) {
        /** Ids that exist nowhere. */
        static World nowhere() {
            return new World(UUID.randomUUID().toString(), "ext-" + UUID.randomUUID(), UUID.randomUUID().toString(),
                    UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                    HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(4));
        }

        List<String> ids() {
            return List.of(tenantId, externalId, instanceId, operationId, backupId, keyId);
        }
    }

    /** A request, built for the world it targets. */
    record Call(String method, String path, String body, Map<String, String> headers) {
        static Call of(String method, String path) {
            return new Call(method, path, null, Map.of());
        }

        Call body(String json) {
            return new Call(method, path, json, headers);
        }

        Call header(String name, String value) {
            return new Call(method, path, body, Map.of(name, value));
        }

        ApiClient.Response send(ApiClient client) {
            return client.send(method, path, body, headers);
        }
    }

    /**
     * A row: the route (as registered), the call against a world, the status tenant A's key must get, the problem's
     * field (null: none checked), and a further check of the answer.
     */
    record Row(String route, Function<World, Call> call, int status, String field, Consumer<ApiClient.Response> more) {
        Row(String route, Function<World, Call> call, int status) {
            this(route, call, status, null, r -> { });
        }
    }

    @BeforeAll
    static void start() {
        // recurring jobs pushed out: nothing in the background writes while the database is compared
        server = TestServers.memory(dataDir, Map.of("BERTH_ENGINE_JOB_INTERVAL", "PT1H"));
        admin = TestServers.admin(server);
        a = world("a");
        b = world("b");
        keyOfA = admin.withKey(tenantKey(a.tenantId()).get("secret").asText());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** A tenant with an ACTIVE instance that has a backup, and a tenant key of its own. */
    static World world(String name) {
        String externalId = "cus-" + name + "-" + UUID.randomUUID();
        String tenantId = tenant(externalId);
        var p = admin.send("POST", "/api/v1/instances", "{\"tenantId\":\"" + tenantId + "\",\"appId\":\"ghost\",\"planId\":\"basic\"}",
                Map.of("Idempotency-Key", "order-" + name));
        assertThat(p.status()).as(p.text()).isEqualTo(202);
        String instanceId = p.json().at("/instance/id").asText();
        String provision = p.json().at("/operation/id").asText();
        awaitSucceeded(admin, provision);
        var backup = admin.post("/api/v1/instances/" + instanceId + "/backups", null);
        awaitSucceeded(admin, backup.json().at("/operation/id").asText());
        String backupId = admin.get("/api/v1/instances/" + instanceId + "/backups").json().get(0).get("backupId").asText();
        String keyId = tenantKey(tenantId).at("/key/id").asText();
        return new World(tenantId, externalId, instanceId, provision, backupId, keyId);
    }

    static String tenant(String externalId) {
        var r = admin.post("/api/v1/tenants", "{\"externalId\":\"" + externalId + "\",\"email\":\"a@example.com\",\"name\":\"Ada\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    static JsonNode tenantKey(String tenantId) {
        var r = admin.post("/api/v1/keys", "{\"name\":\"dashboard\",\"scope\":\"TENANT\",\"tenantId\":\"" + tenantId + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.json().at("/key/scope").asText()).isEqualTo("TENANT");
        assertThat(r.json().at("/key/tenantId").asText()).isEqualTo(tenantId);
        return r.json();
    }

    /** Every route that takes a key, called with tenant A's key on tenant B's things. */
    static List<Row> table() {
        String node = """
                {"id":"intruder","providerKind":"memory","target":"mem-9","capacity":{"cpuMillis":1000,"memoryBytes":1073741824,"diskBytes":1073741824}}""";
        String plan = """
                {"id":"basic","name":"Hijacked","resources":{"cpuRequestMillis":1,"cpuLimitMillis":1,"memoryRequestBytes":67108864,
                 "memoryLimitBytes":67108864,"diskBytes":1}}""";
        String checkout = "{\"planId\":\"basic\",\"appId\":\"ghost\",\"successUrl\":\"https://shop.example/ok\","
                + "\"cancelUrl\":\"https://shop.example/no\",\"requestKey\":\"r1\"}";
        Consumer<ApiClient.Response> onlyA = r -> assertThat(r.json().get("items").findValuesAsText("id")).containsExactly(a.tenantId());
        Consumer<ApiClient.Response> none = r -> assertThat(r.json().get("items")).isEmpty();
        return List.of(
                // tenants
                new Row("POST /api/v1/tenants", w -> Call.of("POST", "/api/v1/tenants")
                        .body("{\"externalId\":\"" + w.externalId() + "\",\"email\":\"x@example.com\",\"name\":\"X\"}"), 403),
                new Row("GET /api/v1/tenants", w -> Call.of("GET", "/api/v1/tenants"), 200, null, onlyA),
                new Row("GET /api/v1/tenants", w -> Call.of("GET", "/api/v1/tenants?externalId=" + w.externalId()), 200, null, none),
                new Row("GET /api/v1/tenants/{tenantId}", w -> Call.of("GET", "/api/v1/tenants/" + w.tenantId()), 404),
                new Row("PUT /api/v1/tenants/{tenantId}", w -> Call.of("PUT", "/api/v1/tenants/" + w.tenantId())
                        .body("{\"email\":\"x@example.com\",\"name\":\"Hijacked\"}"), 404),
                new Row("DELETE /api/v1/tenants/{tenantId}", w -> Call.of("DELETE", "/api/v1/tenants/" + w.tenantId()), 404),
                new Row("GET /api/v1/tenants/{tenantId}/instances", w -> Call.of("GET", "/api/v1/tenants/" + w.tenantId() + "/instances"), 404),
                // catalog and plans: shared, readable; plans not writable
                new Row("GET /api/v1/catalog", w -> Call.of("GET", "/api/v1/catalog"), 200),
                new Row("GET /api/v1/catalog/{appId}", w -> Call.of("GET", "/api/v1/catalog/ghost"), 200),
                new Row("GET /api/v1/plans", w -> Call.of("GET", "/api/v1/plans"), 200),
                new Row("GET /api/v1/plans/{planId}", w -> Call.of("GET", "/api/v1/plans/basic"), 200),
                new Row("POST /api/v1/plans", w -> Call.of("POST", "/api/v1/plans").body(plan.replace("\"basic\"", "\"stolen\"")), 403),
                new Row("PUT /api/v1/plans/{planId}", w -> Call.of("PUT", "/api/v1/plans/basic").body(plan), 403),
                // instances
                new Row("POST /api/v1/instances", w -> Call.of("POST", "/api/v1/instances")
                        .body("{\"tenantId\":\"" + w.tenantId() + "\",\"appId\":\"ghost\",\"planId\":\"basic\"}")
                        .header("Idempotency-Key", "intrusion"), 404, "tenantId", r -> { }),
                new Row("GET /api/v1/instances/{instanceId}", w -> Call.of("GET", "/api/v1/instances/" + w.instanceId()), 404),
                new Row("DELETE /api/v1/instances/{instanceId}", w -> Call.of("DELETE", "/api/v1/instances/" + w.instanceId()), 404),
                new Row("POST /api/v1/instances/{instanceId}/suspend", w -> Call.of("POST", "/api/v1/instances/" + w.instanceId() + "/suspend"), 404),
                new Row("POST /api/v1/instances/{instanceId}/resume", w -> Call.of("POST", "/api/v1/instances/" + w.instanceId() + "/resume"), 404),
                new Row("POST /api/v1/instances/{instanceId}/change-plan", w -> Call.of("POST", "/api/v1/instances/" + w.instanceId()
                        + "/change-plan").body("{\"planId\":\"pro\"}"), 404),
                new Row("POST /api/v1/instances/{instanceId}/upgrade", w -> Call.of("POST", "/api/v1/instances/" + w.instanceId()
                        + "/upgrade").body("{\"version\":\"9.9.9\"}"), 404),
                new Row("POST /api/v1/instances/{instanceId}/backups", w -> Call.of("POST", "/api/v1/instances/" + w.instanceId() + "/backups"), 404),
                new Row("GET /api/v1/instances/{instanceId}/backups", w -> Call.of("GET", "/api/v1/instances/" + w.instanceId() + "/backups"), 404),
                new Row("POST /api/v1/instances/{instanceId}/restore", w -> Call.of("POST", "/api/v1/instances/" + w.instanceId()
                        + "/restore").body("{\"backupId\":\"" + w.backupId() + "\"}"), 404),
                // B's backup restored into A's own instance
                new Row("POST /api/v1/instances/{instanceId}/restore", w -> Call.of("POST", "/api/v1/instances/" + a.instanceId()
                        + "/restore").body("{\"backupId\":\"" + w.backupId() + "\"}"), 404, "backupId", r -> { }),
                new Row("GET /api/v1/instances/{instanceId}/credentials", w -> Call.of("GET", "/api/v1/instances/" + w.instanceId()
                        + "/credentials"), 404),
                new Row("GET /api/v1/instances/{instanceId}/operations", w -> Call.of("GET", "/api/v1/instances/" + w.instanceId()
                        + "/operations"), 404),
                // operations
                new Row("GET /api/v1/operations/{operationId}", w -> Call.of("GET", "/api/v1/operations/" + w.operationId()), 404),
                // another tenant's operation does not exist for this key, before any question of scope
                new Row("POST /api/v1/operations/{operationId}/cancel", w -> Call.of("POST", "/api/v1/operations/" + w.operationId()
                        + "/cancel"), 404),
                // nodes and capacity: the operator's, never a tenant key's
                new Row("POST /api/v1/nodes", w -> Call.of("POST", "/api/v1/nodes").body(node), 403),
                new Row("GET /api/v1/nodes", w -> Call.of("GET", "/api/v1/nodes"), 403),
                new Row("GET /api/v1/nodes/{nodeId}", w -> Call.of("GET", "/api/v1/nodes/mem"), 403),
                new Row("POST /api/v1/nodes/{nodeId}/drain", w -> Call.of("POST", "/api/v1/nodes/mem/drain"), 403),
                new Row("DELETE /api/v1/nodes/{nodeId}", w -> Call.of("DELETE", "/api/v1/nodes/mem"), 403),
                new Row("GET /api/v1/capacity", w -> Call.of("GET", "/api/v1/capacity?planId=basic&tenantId=" + w.tenantId()), 403),
                // keys: admin only, whoever they belong to
                new Row("POST /api/v1/keys", w -> Call.of("POST", "/api/v1/keys")
                        .body("{\"name\":\"more\",\"scope\":\"TENANT\",\"tenantId\":\"" + w.tenantId() + "\"}"), 403),
                new Row("GET /api/v1/keys", w -> Call.of("GET", "/api/v1/keys?tenantId=" + w.tenantId()), 403),
                new Row("DELETE /api/v1/keys/{keyId}", w -> Call.of("DELETE", "/api/v1/keys/" + w.keyId()), 403),
                // billing
                new Row("POST /api/v1/tenants/{tenantId}/billing/checkout", w -> Call.of("POST", "/api/v1/tenants/" + w.tenantId()
                        + "/billing/checkout").body(checkout), 404),
                new Row("POST /api/v1/tenants/{tenantId}/billing/portal", w -> Call.of("POST", "/api/v1/tenants/" + w.tenantId()
                        + "/billing/portal").body("{\"returnUrl\":\"https://shop.example/\"}"), 404));
    }

    @Test
    void a_tenant_key_reaches_nothing_of_another_tenant_on_any_route_and_learns_nothing_about_it() {
        List<Row> table = table();
        // the table covers every route that takes a key, so a new route cannot slip past this test
        Set<String> keyed = TestServers.routes(server).entrySet().stream().filter(e -> !e.getValue().isEmpty())
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
        Set<String> covered = table.stream().map(Row::route).collect(Collectors.toCollection(TreeSet::new));
        assertThat(covered).isEqualTo(keyed);

        Database db = server.injector().getInstance(Database.class);
        DatabaseSnapshot.awaitQuiet(db.dataSource());
        var before = DatabaseSnapshot.take(db.dataSource());
        List<String> failures = new ArrayList<>();
        for (Row row : table) {
            World nowhere = World.nowhere();
            ApiClient.Response onB = row.call().apply(b).send(keyOfA);
            ApiClient.Response onNothing = row.call().apply(nowhere).send(keyOfA);
            String got = row.route() + ": got " + onB.status() + " " + onB.text();
            if (onB.status() != row.status()) {
                failures.add(got + " (expected " + row.status() + ")");
                continue;
            }
            if (row.status() >= 400) {
                if (!"application/problem+json".equals(onB.contentType())) failures.add(got + " (not a problem)");
                else if (row.field() != null && !row.field().equals(onB.json().path("field").asText())) failures.add(got + " (field)");
                else if (row.status() == 403 && !onB.json().path("detail").asText().endsWith(row.route())) failures.add(got + " (detail)");
            }
            try {
                row.more().accept(onB);
            } catch (AssertionError e) {
                failures.add(got + " (" + e.getMessage() + ")");
            }
            // B's things and things that exist nowhere get the same answer, ids aside
            String seenOnB = normalised(onB, b);
            String seenOnNothing = normalised(onNothing, nowhere);
            if (onNothing.status() != onB.status() || !seenOnB.equals(seenOnNothing)) {
                failures.add(row.route() + ": tells B's ids from unknown ones: " + seenOnB + " vs " + onNothing.status() + " " + seenOnNothing);
            }
        }
        assertThat(failures).isEmpty();
        assertThat(DatabaseSnapshot.take(db.dataSource())).as("nothing changed").isEqualTo(before);

        // B, its instance and its key are untouched, and the operator's keys still reach B
        ApiClient portal = admin.withKey(admin.post("/api/v1/keys", "{\"name\":\"portal\",\"scope\":\"PORTAL\"}").json().get("secret").asText());
        for (ApiClient operator : List.of(admin, portal)) {
            assertThat(operator.get("/api/v1/tenants/" + b.tenantId()).status()).isEqualTo(200);
            assertThat(operator.get("/api/v1/instances/" + b.instanceId()).json().get("status").asText()).isEqualTo("ACTIVE");
            assertThat(operator.get("/api/v1/tenants/" + b.tenantId() + "/instances").json().findValuesAsText("id"))
                    .containsExactly(b.instanceId());
            assertThat(operator.get("/api/v1/operations/" + b.operationId()).status()).isEqualTo(200);
        }
        assertThat(admin.get("/api/v1/keys?tenantId=" + b.tenantId()).json().findValuesAsText("id")).containsExactly(b.keyId());
    }

    /** Status, type and body with the request id dropped and the world's ids replaced, to compare two answers. */
    private static String normalised(ApiClient.Response r, World w) {
        String text = r.text();
        if (r.json() instanceof ObjectNode o) {
            o.remove("requestId");
            text = o.toString();
        }
        for (String id : w.ids()) text = text.replace(id, "<id>");
        return r.status() + " " + r.contentType() + " " + text;
    }

    @Test
    void a_tenant_key_runs_its_own_tenant_like_a_portal_would() {
        String ext = "cus-own-" + UUID.randomUUID();
        String own = tenant(ext);
        ApiClient key = admin.withKey(tenantKey(own).get("secret").asText());

        assertThat(key.get("/api/v1/tenants").json().get("items").findValuesAsText("id")).containsExactly(own);
        assertThat(key.get("/api/v1/tenants?externalId=" + ext).json().get("items").findValuesAsText("id")).containsExactly(own);
        assertThat(key.get("/api/v1/tenants?offset=1").json().get("items")).isEmpty();
        assertThat(key.get("/api/v1/tenants?limit=0").status()).isEqualTo(400);
        assertThat(key.get("/api/v1/tenants/" + own).status()).isEqualTo(200);
        var updated = key.put("/api/v1/tenants/" + own, "{\"email\":\"new@example.com\",\"name\":\"Ada\"}");
        assertThat(updated.status()).as(updated.text()).isEqualTo(200);
        assertThat(key.get("/api/v1/catalog").status()).isEqualTo(200);
        assertThat(key.get("/api/v1/plans/pro").status()).isEqualTo(200);

        // provisioning: the tenant may be left out (its own), or named
        var implicit = key.send("POST", "/api/v1/instances", "{\"appId\":\"ghost\",\"planId\":\"basic\"}", Map.of("Idempotency-Key", "own-1"));
        assertThat(implicit.status()).as(implicit.text()).isEqualTo(202);
        assertThat(implicit.json().at("/instance/tenantId").asText()).isEqualTo(own);
        String instanceId = implicit.json().at("/instance/id").asText();
        awaitSucceeded(key, implicit.json().at("/operation/id").asText());
        var named = key.send("POST", "/api/v1/instances", "{\"tenantId\":\"" + own + "\",\"appId\":\"ghost\",\"planId\":\"basic\"}",
                Map.of("Idempotency-Key", "own-1"));
        assertThat(named.json().at("/instance/id").asText()).as("the same order").isEqualTo(instanceId);

        assertThat(key.get("/api/v1/tenants/" + own + "/instances").json().findValuesAsText("id")).containsExactly(instanceId);
        assertThat(key.get("/api/v1/instances/" + instanceId).json().get("status").asText()).isEqualTo("ACTIVE");
        assertThat(key.get("/api/v1/instances/" + instanceId + "/credentials").status()).isEqualTo(200);
        awaitSucceeded(key, key.post("/api/v1/instances/" + instanceId + "/suspend", null).json().at("/operation/id").asText());
        awaitSucceeded(key, key.post("/api/v1/instances/" + instanceId + "/resume", null).json().at("/operation/id").asText());
        awaitSucceeded(key, key.post("/api/v1/instances/" + instanceId + "/backups", null).json().at("/operation/id").asText());
        String backupId = key.get("/api/v1/instances/" + instanceId + "/backups").json().get(0).get("backupId").asText();
        awaitSucceeded(key, key.post("/api/v1/instances/" + instanceId + "/restore", "{\"backupId\":\"" + backupId + "\"}")
                .json().at("/operation/id").asText());
        awaitSucceeded(key, key.post("/api/v1/instances/" + instanceId + "/change-plan", "{\"planId\":\"pro\"}")
                .json().at("/operation/id").asText());
        assertThat(key.get("/api/v1/instances/" + instanceId + "/operations").json()).hasSizeGreaterThanOrEqualTo(6);

        // what it may not do, even on its own tenant
        assertThat(key.delete("/api/v1/tenants/" + own).status()).isEqualTo(403);
        assertThat(key.post("/api/v1/tenants", "{\"externalId\":\"new\",\"email\":\"a@example.com\",\"name\":\"A\"}").status()).isEqualTo(403);
        assertThat(key.get("/api/v1/capacity?planId=basic&tenantId=" + own).status()).isEqualTo(403);
        assertThat(key.post("/api/v1/keys", "{\"name\":\"more\",\"scope\":\"TENANT\",\"tenantId\":\"" + own + "\"}").status()).isEqualTo(403);

        // billing's suspension is not the customer's to lift; the operator's keys still can
        awaitSucceeded(admin, server.berth().instances().suspend(instanceId, SuspensionReason.BILLING).id());
        var resume = key.post("/api/v1/instances/" + instanceId + "/resume", null);
        assertThat(resume.status()).as(resume.text()).isEqualTo(409);
        assertThat(resume.json().get("detail").asText()).contains("suspended for billing");
        awaitSucceeded(admin, admin.post("/api/v1/instances/" + instanceId + "/resume", null).json().at("/operation/id").asText());

        awaitSucceeded(key, key.delete("/api/v1/instances/" + instanceId).json().at("/operation/id").asText());
        assertThat(key.get("/api/v1/instances/" + instanceId).json().get("status").asText()).isEqualTo("TERMINATED");
    }

    @Test
    void a_deleted_tenants_keys_stop_working_however_it_was_deleted() {
        // deleted through the API, without history: the row goes, and its keys with it
        String plain = tenant("cus-del-" + UUID.randomUUID());
        ApiClient plainKey = admin.withKey(tenantKey(plain).get("secret").asText());
        assertThat(plainKey.get("/api/v1/tenants/" + plain).status()).isEqualTo(200);
        assertThat(admin.delete("/api/v1/tenants/" + plain).status()).isEqualTo(204);
        assertUnauthorized(plainKey.get("/api/v1/tenants/" + plain));
        assertThat(admin.get("/api/v1/keys?tenantId=" + plain).json()).isEmpty();

        // deleted through the API with a terminated instance: the tenant stays as DISABLED, its keys are revoked
        String withHistory = tenant("cus-hist-" + UUID.randomUUID());
        ApiClient historyKey = admin.withKey(tenantKey(withHistory).get("secret").asText());
        var p = historyKey.send("POST", "/api/v1/instances", "{\"appId\":\"ghost\",\"planId\":\"basic\"}", Map.of("Idempotency-Key", "h"));
        awaitSucceeded(historyKey, p.json().at("/operation/id").asText());
        awaitSucceeded(historyKey, historyKey.delete("/api/v1/instances/" + p.json().at("/instance/id").asText())
                .json().at("/operation/id").asText());
        assertThat(admin.delete("/api/v1/tenants/" + withHistory).status()).isEqualTo(204);
        assertThat(admin.get("/api/v1/tenants/" + withHistory).json().get("status").asText()).isEqualTo("DISABLED");
        assertUnauthorized(historyKey.get("/api/v1/tenants/" + withHistory));
        assertThat(admin.get("/api/v1/keys?tenantId=" + withHistory).json()).isEmpty();
        var again = admin.post("/api/v1/keys", "{\"name\":\"late\",\"scope\":\"TENANT\",\"tenantId\":\"" + withHistory + "\"}");
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.json().get("field").asText()).isEqualTo("tenantId");

        // deleted behind the server's back (core directly, as another process of a cluster would): refused at once
        String direct = tenant("cus-direct-" + UUID.randomUUID());
        ApiClient directKey = admin.withKey(tenantKey(direct).get("secret").asText());
        assertThat(directKey.get("/api/v1/tenants/" + direct).status()).isEqualTo(200);
        server.berth().tenants().delete(direct);
        assertUnauthorized(directKey.get("/api/v1/tenants/" + direct));
    }

    private static void assertUnauthorized(ApiClient.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(401);
        assertThat(r.contentType()).isEqualTo("application/problem+json");
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
    }
}
