package dev.berth.stripe.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EventRoutingTest {

    static JsonNode json(String s) throws Exception {
        return new ObjectMapper().readTree(s);
    }

    @Test
    void findsTheSubscriptionInEveryShapeItComesIn() throws Exception {
        assertThat(EventRouting.subscriptionId("customer.subscription.updated", json("{\"id\": \"sub_1\"}"))).contains("sub_1");
        assertThat(EventRouting.subscriptionId("checkout.session.completed", json("{\"subscription\": \"sub_2\"}"))).contains("sub_2");
        assertThat(EventRouting.subscriptionId("checkout.session.completed", json("{\"subscription\": {\"id\": \"sub_3\"}}"))).contains("sub_3");
        // dahlia (and basil onwards): under parent.subscription_details
        assertThat(EventRouting.subscriptionId("invoice.paid",
                json("{\"parent\": {\"subscription_details\": {\"subscription\": \"sub_4\"}}}"))).contains("sub_4");
        // before basil: top level
        assertThat(EventRouting.subscriptionId("invoice.payment_failed", json("{\"subscription\": \"sub_5\"}"))).contains("sub_5");
    }

    @Test
    void eventsNotAboutASubscriptionHaveNone() throws Exception {
        assertThat(EventRouting.subscriptionId("checkout.session.completed", json("{\"subscription\": null, \"mode\": \"payment\"}"))).isEmpty();
        assertThat(EventRouting.subscriptionId("invoice.paid", json("{\"parent\": null}"))).isEmpty();
        assertThat(EventRouting.subscriptionId("charge.succeeded", json("{\"id\": \"ch_1\"}"))).isEmpty();
    }
}
