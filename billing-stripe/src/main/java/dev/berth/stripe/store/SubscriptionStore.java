package dev.berth.stripe.store;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The {@code stripe_subscriptions} table: subscription ↔ tenant ↔ instance. */
public final class SubscriptionStore {

    private static final String COLUMNS = "subscription_id, customer_id, tenant_id, app_id, plan_id, instance_id, status, price_id, synced_at";

    private final Jdbc jdbc;

    public SubscriptionStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public Optional<SubscriptionLink> find(String subscriptionId) {
        return jdbc.query("select " + COLUMNS + " from stripe_subscriptions where subscription_id = ?", SubscriptionStore::map,
                subscriptionId).stream().findFirst();
    }

    /** Every known subscription, ordered by id. */
    public List<SubscriptionLink> all() {
        return jdbc.query("select " + COLUMNS + " from stripe_subscriptions order by subscription_id", SubscriptionStore::map);
    }

    /** The Stripe customer of a tenant's most recently synced subscription. */
    public Optional<String> customerOf(String tenantId) {
        return jdbc.query("select customer_id from stripe_subscriptions where tenant_id = ? and customer_id is not null order by synced_at desc",
                rs -> rs.getString(1), tenantId).stream().findFirst();
    }

    /**
     * Inserts or updates the link. A known instance id is never replaced by null (an instance, once linked, stays
     * linked), so concurrent workers cannot unlink it.
     */
    public void save(SubscriptionLink l) {
        String update = "update stripe_subscriptions set customer_id = ?, tenant_id = ?, app_id = ?, plan_id = ?,"
                + " instance_id = coalesce(?, instance_id), status = ?, price_id = ?, synced_at = ? where subscription_id = ?";
        Object[] args = {l.customerId(), l.tenantId(), l.appId(), l.planId(), l.instanceId(), l.status(), l.priceId(), l.syncedAt(),
                l.subscriptionId()};
        if (jdbc.update(update, args) > 0) return;
        try {
            jdbc.update("insert into stripe_subscriptions (" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    l.subscriptionId(), l.customerId(), l.tenantId(), l.appId(), l.planId(), l.instanceId(), l.status(), l.priceId(),
                    l.syncedAt());
        } catch (Jdbc.DuplicateKeyException raced) {
            jdbc.update(update, args); // another worker inserted it first
        }
    }

    private static SubscriptionLink map(ResultSet rs) throws SQLException {
        return new SubscriptionLink(rs.getString("subscription_id"), rs.getString("customer_id"), rs.getString("tenant_id"),
                rs.getString("app_id"), rs.getString("plan_id"), rs.getString("instance_id"), rs.getString("status"),
                rs.getString("price_id"), Jdbc.instant(rs, "synced_at"));
    }
}
