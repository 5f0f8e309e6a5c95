package dev.berth.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.examples.server.config.ConfigLoader;
import dev.berth.stripe.FakeStripeApi;
import dev.berth.stripe.StripeEvents;
import dev.berth.testkit.image.TestAppImage;
import dev.berth.testkit.time.FakeClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stripe billing end to end through the example server on the real Docker engine: signed webhooks are POSTed to
 * {@code /webhooks/stripe} over HTTP, the Stripe API is a local stand-in ({@link FakeStripeApi}), and the engine's
 * clock is a {@link FakeClock} moved past the plan's retention. Fails, never skips, when Docker is missing.
 */
class StripeServerIT {

    private static final String PREFIX = "stripeit" + UUID.randomUUID().toString().replace("-", "").substring(0, 6);
    private static final String SECRET = "whsec_" + UUID.randomUUID().toString().replace("-", "");
    private static final String PRICE = "price_1QxBasicMonthlyUsd";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dataDir;
    static FakeStripeApi stripe;
    static FakeClock clock;
    static BerthServer server;
    static ApiClient admin;

    @BeforeAll
    static void start() throws IOException {
        DockerCli.run("info", "--format", "{{.ServerVersion}}"); // fails loudly without an engine
        TestAppImage.ensureAll();
        stripe = new FakeStripeApi();
        clock = new FakeClock(Instant.now());
        Map<String, String> env = TestServers.dockerEnv(dataDir, PREFIX);
        env.put("BERTH_PLANS", """
                [{"id": "basic", "name": "Basic",
                  "resources": {"cpuRequestMillis": 250, "cpuLimitMillis": 1000, "memoryRequestBytes": 268435456,
                                "memoryLimitBytes": 536870912, "diskBytes": 5368709120},
                  "backupPolicy": {"interval": "P1D", "retention": "P7D"},
                  "gracePeriod": "P7D", "retention": "P30D", "priceIds": {"stripe": "%s"}}]""".formatted(PRICE));
        env.put("BERTH_STRIPE_API_KEY", "sk_test_server_it");
        env.put("BERTH_STRIPE_WEBHOOK_SECRET", SECRET);
        env.put("BERTH_STRIPE_API_BASE", stripe.base());
        server = BerthServer.start(ConfigLoader.load(null, env), null, clock);
        admin = TestServers.admin(server);
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) server.close();
            if (stripe != null) stripe.close();
        } finally {
            // whatever a failed run left behind, by this run's unique prefix only
            for (String c : DockerCli.lines("ps", "-aq", "--filter", "name=" + PREFIX)) DockerCli.run("rm", "-f", c);
            for (String v : DockerCli.lines("volume", "ls", "-q", "--filter", "name=" + PREFIX)) DockerCli.run("volume", "rm", "-f", v);
            for (String n : DockerCli.lines("network", "ls", "-q", "--filter", "name=" + PREFIX)) DockerCli.run("network", "rm", n);
        }
    }

    @Test
    void paidCheckoutRunsTheInstanceOnDockerAndACanceledSubscriptionEndsItAfterRetentionWithABackup() throws Exception {
        var tenant = admin.post("/api/v1/tenants", "{\"externalId\":\"stripe-it\",\"email\":\"ada@example.com\",\"name\":\"Ada\"}");
        assertThat(tenant.status()).as(tenant.text()).isEqualTo(201);
        String tenantId = tenant.json().get("id").asText();
        String sub = "sub_1QxServerIt" + UUID.randomUUID().toString().substring(0, 8);
        stripe.putSubscription(sub, "cus_RqServerIt", "active", PRICE,
                Map.of("berth_tenant_id", tenantId, "berth_plan_id", "basic", "berth_app_id", "testapp"), now() - 60);

        // a forged delivery is refused over HTTP and leaves nothing behind
        String paid = StripeEvents.checkoutCompleted(stripe, tenantId, "ada@example.com", sub, now());
        assertThat(post(paid, StripeEvents.sign(paid, "whsec_not_ours", now())).statusCode()).isEqualTo(400);
        assertThat(admin.get("/api/v1/tenants/" + tenantId + "/instances").json()).isEmpty();

        // checkout.session.completed → provisioned on Docker, ACTIVE
        HttpResponse<String> accepted = post(paid, StripeEvents.sign(paid, SECRET, now()));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
        JsonNode instance = awaitStatus(tenantId, "ACTIVE", Duration.ofMinutes(3));
        String id = instance.get("id").asText();
        assertThat(instance.get("planId").asText()).isEqualTo("basic");
        assertThat(DockerCli.run("inspect", "-f", "{{.State.Running}}", container(id))).isEqualTo("true");
        // Stripe retries the same event: acknowledged, no second instance
        assertThat(post(paid, StripeEvents.sign(paid, SECRET, now())).body()).contains("duplicate");

        // customer.subscription.deleted → SUSPENDED at once (stopped, data kept)
        clock.advance(Duration.ofMinutes(1));
        stripe.subscription(sub).status = "canceled";
        String deleted = StripeEvents.subscriptionEvent(stripe, "customer.subscription.deleted", sub, now());
        assertThat(post(deleted, StripeEvents.sign(deleted, SECRET, now())).statusCode()).isEqualTo(200);
        awaitStatus(tenantId, "SUSPENDED", Duration.ofMinutes(2));
        assertThat(DockerCli.run("inspect", "-f", "{{.State.Running}}", container(id))).isEqualTo("false");

        // still kept one minute before the 30 days of retention are over (the server's own periodic jobs run on the
        // same fake clock, so a backup may start after the jump: wait until the instance is idle)
        clock.advance(Duration.ofDays(30).minusMinutes(2));
        awaitStatus(tenantId, "SUSPENDED", Duration.ofMinutes(2));
        assertThat(server.berth().jobs().enforceEntitlements()).isEmpty();
        assertThat(admin.get("/api/v1/instances/" + id).json().get("status").asText()).isEqualTo("SUSPENDED");

        // retention over → TERMINATED, with a final backup, nothing left on Docker
        Instant retentionOver = clock.advance(Duration.ofMinutes(2));
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                // on a timeout, say what the instance is doing instead of only that it is not TERMINATED
                .conditionEvaluationListener(condition -> {
                    if (condition.getRemainingTimeInMS() < 600) {
                        System.err.println("instance " + server.berth().instances().get(id) + "\noperations "
                                + server.berth().operations().forInstance(id));
                    }
                })
                .until(() -> {
                    server.berth().jobs().enforceEntitlements(); // idempotent; the server's recurring job may be first
                    return "TERMINATED".equals(admin.get("/api/v1/instances/" + id).json().get("status").asText());
                });
        JsonNode backups = admin.get("/api/v1/instances/" + id + "/backups").json();
        assertThat(backups).as(backups.toString()).anySatisfy(b ->
                assertThat(Instant.parse(b.get("createdAt").asText())).isAfterOrEqualTo(retentionOver));
        assertThat(DockerCli.lines("ps", "-aq", "--filter", "label=dev.berth.instance=" + id)).isEmpty();
        assertThat(admin.get("/api/v1/tenants/" + tenantId + "/instances").json()).hasSize(1);
    }

    private static long now() {
        return clock.instant().getEpochSecond();
    }

    private static HttpResponse<String> post(String payload, String signature) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.localUri() + "/webhooks/stripe"))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Stripe-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(payload)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until the tenant's only instance has {@code status} and is idle; returns its view. */
    private static JsonNode awaitStatus(String tenantId, String status, Duration atMost) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(() -> {
            JsonNode list = admin.get("/api/v1/tenants/" + tenantId + "/instances").json();
            last[0] = list.size() == 1 ? list.get(0) : null;
            return last[0] != null && status.equals(last[0].get("status").asText())
                    && (!last[0].has("activeOperationId") || last[0].get("activeOperationId").isNull());
        });
        return last[0];
    }

    private static String container(String instanceId) {
        List<String> ids = DockerCli.lines("ps", "-aq", "--filter", "label=dev.berth.instance=" + instanceId);
        assertThat(ids).hasSize(1);
        return ids.get(0);
    }
}
