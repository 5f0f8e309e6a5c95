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
        awaitSucceeded(admin, p.json().at("/operation/id").asText());
        return p.json().at("/instance/id").asText();
    }

    /** Waits until the operation is done (polled with {@code client}) and checks that it SUCCEEDED. */
    static void awaitSucceeded(ApiClient client, String operationId) {
        String[] status = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            status[0] = client.get("/api/v1/operations/" + operationId).json().get("status").asText();
            return !"IN_PROGRESS".equals(status[0]);
        });
        assertThat(status[0]).as("operation " + operationId).isEqualTo("SUCCEEDED");
    }
}
