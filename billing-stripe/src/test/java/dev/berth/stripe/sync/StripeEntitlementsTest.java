package dev.berth.stripe.sync;

import dev.berth.core.billing.Entitlement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class StripeEntitlementsTest {

    @ParameterizedTest
    @CsvSource(nullValues = "WAIT", value = {
            "trialing, ACTIVE",
            "active, ACTIVE",
            "past_due, GRACE",
            "unpaid, SUSPENDED",
            "paused, SUSPENDED",
            "canceled, ENDED",
            "incomplete_expired, ENDED",
            "incomplete, WAIT",
            "some_future_status, WAIT"})
    void everyStripeStatusMapsToAnEntitlementOrToWaiting(String status, Entitlement expected) {
        assertThat(StripeEntitlements.of(status)).isEqualTo(Optional.ofNullable(expected));
    }
}
