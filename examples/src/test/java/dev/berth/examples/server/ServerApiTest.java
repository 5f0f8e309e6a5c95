package dev.berth.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The API end to end over real HTTP, on the in-memory runtime. */
class ServerApiTest {

    @TempDir
    static Path dataDir;
    static BerthServer server;
    static ApiClient admin;

    @BeforeAll
    static void start() throws java.io.IOException {
        // an app with a customer login and an encryption key: only the login may be handed over
        Path catalog = dataDir.resolve("catalog.yaml");
        java.nio.file.Files.writeString(catalog, """
                apps:
                  - id: keyed
                    name: Keyed
                    description: an app with a login and an encryption key
                    defaultVersion: "1.0"
                    supportedVersions: ["1.0"]
                    licence: { spdx: MIT, notes: test, requiresAcknowledgement: false }
                    encryptionKeySecret: ENC_KEY
                    secrets:
                      - { name: ADMIN_PASSWORD, length: 20, alphabet: ALPHANUMERIC, credential: true }
                      - { name: ENC_KEY, length: 64, alphabet: HEX }
                    components:
                      - name: app
                        image: "example/keyed:{version}"
                        http: true
                        ports: [ { name: http, port: 80 } ]
                        env: { ADMIN_PASSWORD: "${secret.ADMIN_PASSWORD}", ENC_KEY: "${secret.ENC_KEY}" }
                        readiness: { path: /, port: 80, timeout: PT1M }
                """);
        server = TestServers.memory(dataDir, Map.of("BERTH_CATALOG_FILES", "[\"" + catalog + "\"]"));
        admin = TestServers.admin(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static String tenant(String externalId) {
        var r = admin.post("/api/v1/tenants", "{\"externalId\":\"" + externalId + "\",\"email\":\"a@example.com\",\"name\":\"Ada\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    static JsonNode awaitOperation(String operationId, String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = admin.get("/api/v1/operations/" + operationId).json();
            return !"IN_PROGRESS".equals(last[0].get("status").asText());
        });
        assertThat(last[0].get("status").asText()).as(last[0].toString()).isEqualTo(status);
        return last[0];
    }

    static ApiClient.Response provision(ApiClient client, String tenantId, String plan, String key) {
        return client.send("POST", "/api/v1/instances",
                "{\"tenantId\":\"" + tenantId + "\",\"appId\":\"ghost\",\"planId\":\"" + plan + "\"}", Map.of("Idempotency-Key", key));
    }

    @Test
    void health_readiness_and_request_ids() {
        var h = admin.withKey(null).get("/healthz");
        assertThat(h.status()).isEqualTo(200);
        assertThat(h.json().get("status").asText()).isEqualTo("UP");
        var r = admin.withKey(null).send("GET", "/readyz", null, Map.of("X-Request-Id", "probe-1"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().at("/checks/database").asText()).isEqualTo("UP");
        assertThat(r.json().at("/checks/runtime:memory").asText()).isEqualTo("UP");
        assertThat(r.header("X-Request-Id")).isEqualTo("probe-1");
        assertThat(admin.get("/api/v1/plans").header("X-Request-Id")).matches("[0-9a-f-]{36}");
    }

    @Test
    void tenants_are_created_paged_updated_and_deleted() {
        String a = tenant("page-a-" + UUID.randomUUID());
        tenant("page-b-" + UUID.randomUUID());
        tenant("page-c-" + UUID.randomUUID());
        var page1 = admin.get("/api/v1/tenants?limit=2");
        assertThat(page1.status()).isEqualTo(200);
        assertThat(page1.json().get("items")).hasSize(2);
        int next = page1.json().get("nextOffset").asInt();
        assertThat(next).isEqualTo(2);
        var page2 = admin.get("/api/v1/tenants?limit=2&offset=" + next);
        assertThat(page2.json().get("items").get(0).get("id").asText())
                .isNotIn(page1.json().get("items").get(0).get("id").asText(), page1.json().get("items").get(1).get("id").asText());

        var updated = admin.put("/api/v1/tenants/" + a, "{\"email\":\"b@example.com\",\"name\":\"Bea\"}");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(admin.get("/api/v1/tenants/" + a).json().get("email").asText()).isEqualTo("b@example.com");
        assertThat(admin.delete("/api/v1/tenants/" + a).status()).isEqualTo(204);
        assertThat(admin.get("/api/v1/tenants/" + a).status()).isEqualTo(404);
    }

    @Test
    void creating_the_same_external_id_again_returns_the_tenant() {
        String ext = "retry-" + UUID.randomUUID();
        String id = tenant(ext);
        var again = admin.post("/api/v1/tenants", "{\"externalId\":\"" + ext + "\",\"email\":\"a@example.com\",\"name\":\"Ada\"}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("id").asText()).isEqualTo(id);
        var byExternal = admin.get("/api/v1/tenants?externalId=" + ext);
        assertThat(byExternal.json().get("items").get(0).get("id").asText()).isEqualTo(id);
    }

    @Test
    void an_instance_goes_through_its_whole_life() {
        String t = tenant("life-" + UUID.randomUUID());
        String key = "order-" + UUID.randomUUID();
        var p = provision(admin, t, "basic", key);
        assertThat(p.status()).as(p.text()).isEqualTo(202);
        String instanceId = p.json().at("/instance/id").asText();
        String opId = p.json().at("/operation/id").asText();
        assertThat(p.header("Location")).isEqualTo("/api/v1/operations/" + opId);
        assertThat(p.json().at("/operation/type").asText()).isEqualTo("PROVISION");

        // a retry with the same key gets the same instance and operation
        var retry = provision(admin, t, "basic", key);
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.json().at("/instance/id").asText()).isEqualTo(instanceId);
        assertThat(retry.json().at("/operation/id").asText()).isEqualTo(opId);

        awaitOperation(opId, "SUCCEEDED");
        var again = provision(admin, t, "basic", key);
        assertThat(again.json().at("/operation/id").asText()).isEqualTo(opId);
        assertThat(again.json().at("/operation/status").asText()).isEqualTo("SUCCEEDED");

        var list = admin.get("/api/v1/tenants/" + t + "/instances");
        assertThat(list.status()).isEqualTo(200);
        JsonNode mine = list.json().get(0);
        assertThat(mine.get("status").asText()).isEqualTo("ACTIVE");
        assertThat(mine.get("url").asText()).matches("https://[a-z0-9]{10}\\.apps\\.test");
        assertThat(mine.get("planId").asText()).isEqualTo("basic");
        assertThat(mine.get("appVersion").asText()).isNotBlank();

        assertThat(admin.delete("/api/v1/tenants/" + t).status()).as("delete refused while instances live").isEqualTo(409);

        awaitOperation(action("/api/v1/instances/" + instanceId + "/suspend", null), "SUCCEEDED");
        assertThat(admin.get("/api/v1/instances/" + instanceId).json().get("status").asText()).isEqualTo("SUSPENDED");
        awaitOperation(action("/api/v1/instances/" + instanceId + "/resume", null), "SUCCEEDED");
        awaitOperation(action("/api/v1/instances/" + instanceId + "/change-plan", "{\"planId\":\"pro\"}"), "SUCCEEDED");
        assertThat(admin.get("/api/v1/instances/" + instanceId).json().get("planId").asText()).isEqualTo("pro");
        awaitOperation(action("/api/v1/instances/" + instanceId + "/backups", null), "SUCCEEDED");
        var backups = admin.get("/api/v1/instances/" + instanceId + "/backups");
        assertThat(backups.json()).hasSize(1);
        String backupId = backups.json().get(0).get("backupId").asText();
        awaitOperation(action("/api/v1/instances/" + instanceId + "/restore", "{\"backupId\":\"" + backupId + "\"}"), "SUCCEEDED");

        var terminate = admin.delete("/api/v1/instances/" + instanceId);
        assertThat(terminate.status()).isEqualTo(202);
        awaitOperation(terminate.json().at("/operation/id").asText(), "SUCCEEDED");
        assertThat(admin.get("/api/v1/instances/" + instanceId).json().get("status").asText()).isEqualTo("TERMINATED");
        assertThat(admin.get("/api/v1/instances/" + instanceId + "/backups").json().size()).isGreaterThanOrEqualTo(2);
        assertThat(admin.get("/api/v1/instances/" + instanceId + "/operations").json()).hasSizeGreaterThanOrEqualTo(7);
        assertThat(admin.delete("/api/v1/tenants/" + t).status()).isEqualTo(204);
    }

    private static String action(String path, String body) {
        var r = body == null ? admin.post(path, null) : admin.post(path, body);
        assertThat(r.status()).as(r.text()).isEqualTo(202);
        return r.json().at("/operation/id").asText();
    }

    @Test
    void only_customer_logins_are_handed_over_and_never_in_other_responses() {
        String t = tenant("creds-" + UUID.randomUUID());
        var p = admin.send("POST", "/api/v1/instances", "{\"tenantId\":\"" + t + "\",\"appId\":\"keyed\",\"planId\":\"basic\"}",
                Map.of("Idempotency-Key", "creds"));
        assertThat(p.status()).as(p.text()).isEqualTo(202);
        String id = p.json().at("/instance/id").asText();
        awaitOperation(p.json().at("/operation/id").asText(), "SUCCEEDED");
        var creds = admin.get("/api/v1/instances/" + id + "/credentials");
        assertThat(creds.status()).isEqualTo(200);
        assertThat(creds.header("Cache-Control")).isEqualTo("no-store");
        assertThat(creds.json().fieldNames()).toIterable().containsExactly("ADMIN_PASSWORD");
        String password = creds.json().get("ADMIN_PASSWORD").asText();
        assertThat(password).hasSize(20);
        String encKey = server.berth().instances().credentials(id).get("ENC_KEY").reveal();
        for (String path : new String[] {"/api/v1/instances/" + id, "/api/v1/tenants/" + t + "/instances",
                "/api/v1/instances/" + id + "/operations"}) {
            assertThat(admin.get(path).text()).doesNotContain(password).doesNotContain(encKey);
        }
    }

    @Test
    void catalog_and_plans_are_listed_and_the_admin_edits_plans() {
        var catalog = admin.get("/api/v1/catalog");
        assertThat(catalog.status()).isEqualTo(200);
        assertThat(catalog.json().findValuesAsText("id")).contains("n8n", "ghost", "wordpress", "odoo", "keyed");
        var n8n = admin.get("/api/v1/catalog/n8n");
        assertThat(n8n.json().get("offerable").asBoolean()).as("n8n's licence is not acknowledged").isFalse();
        var plans = admin.get("/api/v1/plans");
        assertThat(plans.json().findValuesAsText("id")).containsExactly("basic", "enterprise", "pro");
        assertThat(admin.get("/api/v1/plans/pro").json().at("/resources/memoryLimitBytes").asLong())
                .isGreaterThan(admin.get("/api/v1/plans/basic").json().at("/resources/memoryLimitBytes").asLong());

        String plan = """
                {"id":"tiny","name":"Tiny","resources":{"cpuRequestMillis":100,"cpuLimitMillis":200,
                 "memoryRequestBytes":67108864,"memoryLimitBytes":134217728,"diskBytes":1073741824},
                 "backupPolicy":{"interval":"P1D","retention":"P3D"}}""";
        var created = admin.post("/api/v1/plans", plan);
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(admin.post("/api/v1/plans", plan).status()).isEqualTo(409);
        var updated = admin.put("/api/v1/plans/tiny", plan.replace("\"Tiny\"", "\"Tiny 2\""));
        assertThat(updated.status()).isEqualTo(200);
        assertThat(admin.get("/api/v1/plans/tiny").json().get("name").asText()).isEqualTo("Tiny 2");
        assertThat(admin.get("/api/v1/plans/tiny").json().at("/backupPolicy/interval").asText()).isEqualTo("PT24H");
    }

    @Test
    void nodes_are_registered_inspected_drained_and_deregistered_and_capacity_is_checked() {
        var mem = admin.get("/api/v1/nodes/mem");
        assertThat(mem.status()).isEqualTo(200);
        assertThat(mem.json().at("/runtime/target").asText()).isEqualTo("mem-1");
        assertThat(mem.json().at("/node/capacity/cpuMillis").asLong()).isEqualTo(8000);

        var reg = admin.post("/api/v1/nodes", """
                {"id":"extra","providerKind":"memory","target":"mem-2","labels":{"region":"eu"},
                 "capacity":{"cpuMillis":4000,"memoryBytes":8589934592,"diskBytes":107374182400},
                 "overcommit":{"cpu":2,"memory":1,"disk":1},"reservedFraction":0.1,"publicAddress":"203.0.113.7"}""");
        assertThat(reg.status()).as(reg.text()).isEqualTo(201);
        assertThat(admin.get("/api/v1/nodes").json().findValuesAsText("id")).contains("mem", "extra");
        var drained = admin.post("/api/v1/nodes/extra/drain", null);
        assertThat(drained.json().at("/node/status").asText()).isEqualTo("DRAINING");
        assertThat(admin.delete("/api/v1/nodes/extra").status()).isEqualTo(204);
        assertThat(admin.get("/api/v1/nodes/extra").status()).isEqualTo(404);

        var cap = admin.get("/api/v1/capacity?planId=enterprise");
        assertThat(cap.status()).isEqualTo(200);
        assertThat(cap.json().get("placeableNow").asBoolean()).isTrue();
        assertThat(cap.json().get("node").asText()).isEqualTo("mem");
        assertThat(cap.json().get("moreThatFit").asInt()).isPositive();
    }

    @Test
    void portal_keys_reach_tenants_and_instances_but_not_nodes_plans_or_keys() {
        var issued = admin.post("/api/v1/keys", "{\"name\":\"shop\",\"scope\":\"PORTAL\"}");
        assertThat(issued.status()).isEqualTo(201);
        String secret = issued.json().get("secret").asText();
        assertThat(secret).startsWith("berth_");
        ApiClient portal = admin.withKey(secret);
        String t = tenant("portal-" + UUID.randomUUID());
        assertThat(portal.get("/api/v1/tenants/" + t).status()).isEqualTo(200);
        assertThat(portal.get("/api/v1/plans").status()).isEqualTo(200);
        assertThat(portal.get("/api/v1/capacity?planId=basic").status()).isEqualTo(200);
        assertThat(provision(portal, t, "basic", "portal-" + UUID.randomUUID()).status()).isEqualTo(202);
        assertThat(portal.get("/api/v1/nodes").status()).isEqualTo(403);
        assertThat(portal.post("/api/v1/plans", "{}").status()).isEqualTo(403);
        assertThat(portal.get("/api/v1/keys").status()).isEqualTo(403);
        // the listing never shows a secret or a hash
        assertThat(admin.get("/api/v1/keys").text()).doesNotContain(secret).doesNotContain("hash");

        String keyId = issued.json().at("/key/id").asText();
        assertThat(admin.delete("/api/v1/keys/" + keyId).status()).isEqualTo(204);
        assertThat(portal.get("/api/v1/plans").status()).isEqualTo(401);
    }

    @Test
    void metrics_report_operations_instances_placement_and_http_latency() {
        String t = tenant("metrics-" + UUID.randomUUID());
        var p = provision(admin, t, "basic", "m-" + UUID.randomUUID());
        awaitOperation(p.json().at("/operation/id").asText(), "SUCCEEDED");
        var m = admin.withKey(null).get("/metrics");
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.text())
                .containsPattern("berth_operations\\{outcome=\"SUCCEEDED\",type=\"PROVISION\"} [1-9]")
                .containsPattern("berth_instances\\{state=\"ACTIVE\"} [1-9]")
                .containsPattern("berth_placement_latency_seconds_count [1-9]")
                .contains("http_server_requests_seconds_bucket{method=\"POST\",route=\"/api/v1/instances\",status=\"202\"");
    }
}
