package dev.berth.examples.server;

import dev.berth.stripe.FakeStripeApi;
import dev.berth.stripe.StripeEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Stripe routes of the example server on the in-memory runtime, with a local Stripe API stand-in. */
class StripeRoutesTest {

    private static final String SECRET = "whsec_" + UUID.randomUUID().toString().replace("-", "");
    private static final String PRICE = "price_1QxBasicMonthlyUsd";

    @TempDir
    Path dir;
    final FakeStripeApi stripe = new FakeStripeApi();
    BerthServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
        stripe.close();
    }

    BerthServer withStripe() {
        return TestServers.memory(dir, Map.of(
                "BERTH_PLANS", "[{\"id\": \"basic\", \"name\": \"Basic\", \"resources\": {\"cpuRequestMillis\": 250, \"cpuLimitMillis\": 1000,"
                        + " \"memoryRequestBytes\": 268435456, \"memoryLimitBytes\": 536870912, \"diskBytes\": 5368709120},"
                        + " \"priceIds\": {\"stripe\": \"" + PRICE + "\"}},"
                        + " {\"id\": \"unpriced\", \"name\": \"Unpriced\", \"resources\": {\"cpuRequestMillis\": 250, \"cpuLimitMillis\": 1000,"
                        + " \"memoryRequestBytes\": 268435456, \"memoryLimitBytes\": 536870912, \"diskBytes\": 5368709120}}]",
                "BERTH_STRIPE_API_KEY", "sk_test_routes",
                "BERTH_STRIPE_WEBHOOK_SECRET", SECRET,
                "BERTH_STRIPE_API_BASE", stripe.base()));
    }

    @Test
    void withoutStripeConfiguredTheRoutesAnswer404() {
        server = TestServers.memory(dir, Map.of());
        ApiClient admin = TestServers.admin(server);
        String tenantId = admin.post("/api/v1/tenants", "{\"externalId\":\"x\",\"email\":\"x@example.com\",\"name\":\"X\"}").json().get("id").asText();

        var webhook = new ApiClient(server.localUri(), "none").send("POST", "/webhooks/stripe", "{}", Map.of("Stripe-Signature", "t=1,v1=00"));
        var checkout = admin.post("/api/v1/tenants/" + tenantId + "/billing/checkout", "{}");

        assertThat(webhook.status()).isEqualTo(404);
        assertThat(webhook.text()).contains("not configured");
        assertThat(checkout.status()).isEqualTo(404);
    }

    @Test
    void aPortalBuysThroughCheckoutAndTheSignedWebhookProvisions() {
        server = withStripe();
        ApiClient admin = TestServers.admin(server);
        String tenantId = admin.post("/api/v1/tenants", "{\"externalId\":\"ada\",\"email\":\"ada@example.com\",\"name\":\"Ada\"}")
                .json().get("id").asText();
        String checkoutBody = "{\"planId\":\"basic\",\"appId\":\"ghost\",\"successUrl\":\"https://portal.example/ok\","
                + "\"cancelUrl\":\"https://portal.example/cancel\",\"requestKey\":\"order-1\"}";

        var checkout = admin.post("/api/v1/tenants/" + tenantId + "/billing/checkout", checkoutBody);
        assertThat(checkout.status()).as(checkout.text()).isEqualTo(201);
        assertThat(checkout.json().get("url").asText()).startsWith("https://checkout.stripe.com/c/pay/cs_test_");
        assertThat(admin.post("/api/v1/tenants/" + tenantId + "/billing/checkout", checkoutBody).json().get("id"))
                .isEqualTo(checkout.json().get("id"));
        assertThat(stripe.requests("POST", "/v1/checkout/sessions").get(0).form())
                .containsEntry("client_reference_id", tenantId).containsEntry("subscription_data[metadata][berth_app_id]", "ghost");
        var unpriced = admin.post("/api/v1/tenants/" + tenantId + "/billing/checkout", checkoutBody.replace("basic", "unpriced"));
        assertThat(unpriced.status()).isEqualTo(422);
        assertThat(unpriced.json().get("field").asText()).isEqualTo("planId");
        assertThat(admin.post("/api/v1/tenants/" + tenantId + "/billing/portal", "{\"returnUrl\":\"https://portal.example\"}").status())
                .isEqualTo(404);

        // Stripe reports the paid subscription: the signed event is POSTed without an API key
        String sub = "sub_1QxRoutes";
        stripe.putSubscription(sub, "cus_RqRoutes", "active", PRICE,
                Map.of("berth_tenant_id", tenantId, "berth_plan_id", "basic", "berth_app_id", "ghost"), Instant.now().getEpochSecond());
        long now = Instant.now().getEpochSecond();
        String payload = StripeEvents.checkoutCompleted(stripe, tenantId, "ada@example.com", sub, now);
        ApiClient anonymous = new ApiClient(server.localUri(), "none");
        var tampered = anonymous.send("POST", "/webhooks/stripe", payload.replace("ada@", "eve@"),
                Map.of("Stripe-Signature", StripeEvents.sign(payload, SECRET, now)));
        assertThat(tampered.status()).isEqualTo(400);
        var accepted = anonymous.send("POST", "/webhooks/stripe", payload, Map.of("Stripe-Signature", StripeEvents.sign(payload, SECRET, now)));
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            var list = admin.get("/api/v1/tenants/" + tenantId + "/instances").json();
            return list.size() == 1 && "ACTIVE".equals(list.get(0).get("status").asText());
        });
        var portal = admin.post("/api/v1/tenants/" + tenantId + "/billing/portal", "{\"returnUrl\":\"https://portal.example\"}");
        assertThat(portal.status()).as(portal.text()).isEqualTo(200);
        assertThat(portal.json().get("url").asText()).startsWith("https://billing.stripe.com/p/session/");
        assertThat(stripe.requests("POST", "/v1/billing_portal/sessions").get(0).form()).containsEntry("customer", "cus_RqRoutes");
    }

    @Test
    void aTenantKeyBuysForItsOwnTenantOnlyAndCannotNameAnotherTenantsInstance() {
        server = withStripe();
        ApiClient admin = TestServers.admin(server);
        String own = admin.post("/api/v1/tenants", "{\"externalId\":\"own\",\"email\":\"a@example.com\",\"name\":\"A\"}").json().get("id").asText();
        String other = admin.post("/api/v1/tenants", "{\"externalId\":\"other\",\"email\":\"b@example.com\",\"name\":\"B\"}").json().get("id").asText();
        String othersInstance = ServerApiTestSupport.provisionAndWait(admin, other);
        ApiClient dashboard = admin.withKey(admin.post("/api/v1/keys", "{\"name\":\"d\",\"scope\":\"TENANT\",\"tenantId\":\"" + own + "\"}")
                .json().get("secret").asText());
        String body = "{\"planId\":\"basic\",\"appId\":\"ghost\",\"successUrl\":\"https://portal.example/ok\","
                + "\"cancelUrl\":\"https://portal.example/cancel\",\"requestKey\":\"order-%s\"%s}";

        var bought = dashboard.post("/api/v1/tenants/" + own + "/billing/checkout", body.formatted("1", ""));
        assertThat(bought.status()).as(bought.text()).isEqualTo(201);
        assertThat(dashboard.post("/api/v1/tenants/" + other + "/billing/checkout", body.formatted("2", "")).status()).isEqualTo(404);
        assertThat(dashboard.post("/api/v1/tenants/" + other + "/billing/portal", "{\"returnUrl\":\"https://portal.example\"}").status())
                .isEqualTo(404);
        // paying for another tenant's instance from its own checkout: the same 404 as for an instance that does not exist
        var foreign = dashboard.post("/api/v1/tenants/" + own + "/billing/checkout",
                body.formatted("3", ",\"instanceId\":\"" + othersInstance + "\""));
        var unknown = dashboard.post("/api/v1/tenants/" + own + "/billing/checkout",
                body.formatted("3", ",\"instanceId\":\"" + UUID.randomUUID() + "\""));
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.json().get("field").asText()).isEqualTo("instanceId");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(foreign.json().get("type")).isEqualTo(unknown.json().get("type"));
        assertThat(stripe.requests("POST", "/v1/checkout/sessions")).hasSize(1);

        // with billing on, new instances and other plans are bought, not taken
        var provision = dashboard.send("POST", "/api/v1/instances", "{\"appId\":\"ghost\",\"planId\":\"basic\"}", Map.of("Idempotency-Key", "free"));
        assertThat(provision.status()).as(provision.text()).isEqualTo(403);
        assertThat(provision.json().get("detail").asText()).contains("billing/checkout");
        String ownInstance = ServerApiTestSupport.provisionAndWait(admin, own);
        assertThat(dashboard.post("/api/v1/instances/" + ownInstance + "/change-plan", "{\"planId\":\"unpriced\"}").status()).isEqualTo(403);
        assertThat(dashboard.get("/api/v1/instances/" + ownInstance).status()).isEqualTo(200);
        assertThat(admin.get("/api/v1/tenants/" + own + "/instances").json()).hasSize(1);
    }
}
