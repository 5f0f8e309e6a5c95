package dev.berth.stripe.sync;

import dev.berth.core.billing.Entitlement;

import java.util.Optional;

/**
 * Stripe subscription status → Berth entitlement. Stripe owns billing and payment retries; Berth owns access:
 * a past-due subscription keeps running for the plan's grace period, an unpaid or paused one is suspended, a
 * canceled one is suspended and terminated (after a backup) once the plan's retention has passed.
 */
public final class StripeEntitlements {

    private StripeEntitlements() {
    }

    /**
     * @return the entitlement, or empty when Berth should wait: {@code incomplete} (the first payment is still
     *         being attempted, for up to 23 hours) or a status this SDK version does not know (never guess)
     */
    public static Optional<Entitlement> of(String status) {
        if (status == null) return Optional.empty();
        return switch (status) {
            case "trialing", "active" -> Optional.of(Entitlement.ACTIVE);
            case "past_due" -> Optional.of(Entitlement.GRACE);
            case "unpaid", "paused" -> Optional.of(Entitlement.SUSPENDED);
            case "canceled", "incomplete_expired" -> Optional.of(Entitlement.ENDED);
            default -> Optional.empty(); // "incomplete", or a status added by a newer API version
        };
    }
}
