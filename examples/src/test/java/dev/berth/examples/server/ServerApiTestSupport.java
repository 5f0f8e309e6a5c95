package dev.berth.examples.server;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Shared steps of the API tests. */
final class ServerApiTestSupport {

    private ServerApiTestSupport() {
    }

    /** Provisions ghost on basic with key "bad-input-order" and waits until it is ACTIVE; returns the instance id. */
    static String provisionAndWait(ApiClient admin, String tenantId) {
        var p = admin.send("POST", "/api/v1/instances", "{\"tenantId\":\"" + tenantId + "\",\"appId\":\"ghost\",\"planId\":\"basic\"}",
                Map.of("Idempotency-Key", "bad-input-order"));
        assertThat(p.status()).as(p.text()).isEqualTo(202);
        String op = p.json().at("/operation/id").asText();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> "SUCCEEDED".equals(admin.get("/api/v1/operations/" + op).json().get("status").asText()));
        return p.json().at("/instance/id").asText();
    }
}
