package dev.berth.examples.server;

import dev.berth.examples.server.config.ConfigLoader;
import dev.berth.testkit.memory.InMemoryBackupStore;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server's first start and a restart on the same database: the admin key is generated once and never again,
 * only its hash is kept (the old key still works after the restart), a tenant key keeps its tenant, and the state
 * survives.
 */
final class RestartScenario {

    private RestartScenario() {
    }

    static void run(Map<String, String> env) {
        String key;
        String tenantId;
        String instanceId;
        String tenantKey;
        try (BerthServer first = BerthServer.start(ConfigLoader.load(null, env), new InMemoryBackupStore())) {
            key = first.firstAdminKey().orElseThrow().reveal();
            ApiClient admin = new ApiClient(first.localUri(), key);
            tenantId = admin.post("/api/v1/tenants", "{\"externalId\":\"restart\",\"email\":\"a@example.com\",\"name\":\"A\"}")
                    .json().get("id").asText();
            var p = admin.send("POST", "/api/v1/instances", "{\"tenantId\":\"" + tenantId + "\",\"appId\":\"ghost\",\"planId\":\"pro\"}",
                    Map.of("Idempotency-Key", "restart-1"));
            assertThat(p.status()).as(p.text()).isEqualTo(202);
            instanceId = p.json().at("/instance/id").asText();
            tenantKey = admin.post("/api/v1/keys", "{\"name\":\"dashboard\",\"scope\":\"TENANT\",\"tenantId\":\"" + tenantId + "\"}")
                    .json().get("secret").asText();
            String op = p.json().at("/operation/id").asText();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> "SUCCEEDED".equals(admin.get("/api/v1/operations/" + op).json().get("status").asText()));
        }
        try (BerthServer second = BerthServer.start(ConfigLoader.load(null, env), new InMemoryBackupStore())) {
            assertThat(second.firstAdminKey()).as("the admin key is generated on the first start only").isEmpty();
            ApiClient admin = new ApiClient(second.localUri(), key);
            var list = admin.get("/api/v1/tenants/" + tenantId + "/instances");
            assertThat(list.status()).as("the first start's key still works").isEqualTo(200);
            assertThat(list.json().get(0).get("id").asText()).isEqualTo(instanceId);
            assertThat(list.json().get(0).get("planId").asText()).isEqualTo("pro");
            assertThat(admin.get("/api/v1/keys").json().findValuesAsText("scope")).containsExactly("ADMIN", "TENANT");
            ApiClient dashboard = admin.withKey(tenantKey);
            assertThat(dashboard.get("/api/v1/instances/" + instanceId).status()).as("the tenant key still reaches its instance").isEqualTo(200);
            assertThat(dashboard.get("/api/v1/nodes").status()).isEqualTo(403);
            assertThat(admin.get("/api/v1/plans").json().findValuesAsText("id")).containsExactly("basic", "enterprise", "pro");
        }
    }
}
