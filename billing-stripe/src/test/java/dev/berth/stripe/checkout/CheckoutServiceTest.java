package dev.berth.stripe.checkout;

import com.stripe.Stripe;
import dev.berth.core.billing.CheckoutRequest;
import dev.berth.core.billing.HostedSession;
import dev.berth.core.plan.Plan;
import dev.berth.core.tenant.Tenant;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.stripe.FakeStripeApi;
import dev.berth.stripe.StripeTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.berth.stripe.StripeTestBed.BASIC_PRICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checkout Session and Billing Portal requests as Stripe receives them (recorded by the fake API). */
class CheckoutServiceTest {

    StripeTestBed bed;
    Tenant tenant;

    @BeforeEach
    void start() {
        bed = StripeTestBed.h2();
        tenant = bed.tenant();
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    CheckoutRequest request(String plan, String key) {
        return new CheckoutRequest(tenant.id(), plan, StripeTestBed.APP, null, "https://portal.example/billing/success?session_id={CHECKOUT_SESSION_ID}",
                "https://portal.example/billing/cancel", key);
    }

    @Test
    void aSubscriptionCheckoutCarriesBerthsIdsAndAnIdempotencyKey() {
        HostedSession s = bed.stripe.checkout(request("basic", "order-17"));

        assertThat(s.url()).isEqualTo("https://checkout.stripe.com/c/pay/" + s.id());
        FakeStripeApi.Request r = bed.api.requests("POST", "/v1/checkout/sessions").get(0);
        assertThat(r.headers()).containsEntry("stripe-version", Stripe.API_VERSION)
                .containsEntry("idempotency-key", "berth-checkout-" + tenant.id() + "-order-17")
                .containsEntry("authorization", "Bearer sk_test_fake");
        assertThat(r.form()).containsEntry("mode", "subscription")
                .containsEntry("line_items[0][price]", BASIC_PRICE)
                .containsEntry("line_items[0][quantity]", "1")
                .containsEntry("client_reference_id", tenant.id())
                .containsEntry("customer_email", tenant.email())
                .containsEntry("subscription_data[metadata][berth_tenant_id]", tenant.id())
                .containsEntry("subscription_data[metadata][berth_plan_id]", "basic")
                .containsEntry("subscription_data[metadata][berth_app_id]", StripeTestBed.APP)
                .containsEntry("success_url", "https://portal.example/billing/success?session_id={CHECKOUT_SESSION_ID}")
                .doesNotContainKey("customer");
    }

    @Test
    void aRetriedCreateWithTheSameKeyReturnsTheSameSession() {
        HostedSession first = bed.stripe.checkout(request("basic", "order-17"));
        HostedSession retried = bed.stripe.checkout(request("basic", "order-17"));
        HostedSession other = bed.stripe.checkout(request("basic", "order-18"));

        assertThat(retried).isEqualTo(first);
        assertThat(other.id()).isNotEqualTo(first.id());
        assertThat(bed.api.requests("POST", "/v1/checkout/sessions")).extracting(r -> r.headers().get("idempotency-key"))
                .containsExactly("berth-checkout-" + tenant.id() + "-order-17", "berth-checkout-" + tenant.id() + "-order-17",
                        "berth-checkout-" + tenant.id() + "-order-18");
    }

    @Test
    void badInputNamesTheFieldAndSendsNothing() {
        bed.berth.plans().save(new Plan("free", "Free", bed.berth.plans().get("basic").resources(), null, null, null, null, Map.of()));

        assertThatThrownBy(() -> bed.stripe.checkout(request("free", "k1")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("planId"));
        assertThatThrownBy(() -> bed.stripe.checkout(request("nope", "k1")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("planId"));
        assertThatThrownBy(() -> bed.stripe.checkout(new CheckoutRequest("no-such-tenant", "basic", "n8n", null, "https://a/s", "https://a/c", "k1")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("tenantId"));
        assertThatThrownBy(() -> bed.stripe.checkout(new CheckoutRequest(tenant.id(), "basic", "no-such-app", null, "https://a/s", "https://a/c", "k1")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("appId"));
        assertThatThrownBy(() -> request("basic", "has spaces"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("requestKey"));
        assertThat(bed.api.requests("POST", "/")).isEmpty();
    }

    @Test
    void aStripeOutageIsARetryableUnavailableError() {
        bed.api.failNext(3); // the SDK's own network retries (2 by default) see 500s too

        assertThatThrownBy(() -> bed.stripe.checkout(request("basic", "k1")))
                .isInstanceOfSatisfying(UnavailableException.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.getMessage()).contains("500").doesNotContain("sk_test");
                });
    }

    @Test
    void thePortalOpensForTheTenantsStripeCustomerOnceSubscribed() {
        assertThatThrownBy(() -> bed.stripe.portal(tenant.id(), "https://portal.example/billing"))
                .isInstanceOf(NotFoundException.class);
        String sub = bed.subscription(tenant, "basic", BASIC_PRICE, "active");
        bed.deliverAndProcess(bed.checkoutCompleted(tenant, sub));
        String customer = bed.api.subscription(sub).customer;

        HostedSession portal = bed.stripe.portal(tenant.id(), "https://portal.example/billing");

        assertThat(portal.url()).startsWith("https://billing.stripe.com/p/session/");
        assertThat(bed.api.requests("POST", "/v1/billing_portal/sessions").get(0).form())
                .containsEntry("customer", customer).containsEntry("return_url", "https://portal.example/billing");
        // a second purchase reuses the Stripe customer instead of creating another
        bed.stripe.checkout(request("pro", "order-2"));
        assertThat(bed.api.requests("POST", "/v1/checkout/sessions").get(0).form())
                .containsEntry("customer", customer).doesNotContainKey("customer_email");
    }
}
