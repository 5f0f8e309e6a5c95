package dev.berth.stripe.store;

import java.time.Instant;

/**
 * What Berth knows about one Stripe subscription: whom it belongs to, the instance it pays for and the state
 * last applied.
 *
 * @param subscriptionId Stripe subscription id ({@code sub_…})
 * @param customerId     Stripe customer id ({@code cus_…}), used for the customer portal
 * @param tenantId       Berth tenant
 * @param appId          catalog app the subscription buys
 * @param planId         Berth plan of the subscription's price, or null when the price maps to no plan
 * @param instanceId     the instance it pays for, or null before it was provisioned
 * @param status         Stripe status last applied ({@code active}, {@code past_due}, …)
 * @param priceId        Stripe price last applied
 * @param syncedAt       when it was last applied
 */
public record SubscriptionLink(String subscriptionId, String customerId, String tenantId, String appId, String planId,
                               String instanceId, String status, String priceId, Instant syncedAt) {
}
