package dev.berth.stripe.webhook;

import dev.berth.stripe.StripeTestBed;

/** The webhook cases on PostgreSQL, where the dedupe is PostgreSQL's unique-key violation (SQLSTATE 23505). */
class StripeWebhooksPostgresIT extends StripeWebhooksTest {
    @Override
    StripeTestBed newBed() {
        return StripeTestBed.postgres();
    }
}
