package dev.berth.stripe.sync;

import dev.berth.stripe.StripeTestBed;

/** The subscription life on PostgreSQL (migrations with {@code bytea}, timestamps with time zone, unique keys). */
class SubscriptionLifecyclePostgresIT extends SubscriptionLifecycleTest {
    @Override
    StripeTestBed newBed() {
        return StripeTestBed.postgres();
    }
}
