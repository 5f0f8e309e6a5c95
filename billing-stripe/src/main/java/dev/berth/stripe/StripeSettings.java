package dev.berth.stripe;

import dev.berth.spi.SecretValue;
import dev.berth.spi.error.InvalidSpecException;

import java.time.Duration;

/**
 * Configuration of the Stripe gateway. {@link #toString()} never shows the API key or the webhook secret.
 *
 * @param apiKey            Stripe secret API key ({@code sk_live_…}/{@code sk_test_…} or a restricted key)
 * @param webhookSecret     the endpoint's signing secret ({@code whsec_…})
 * @param apiBase           Stripe API base URL; null for Stripe itself (tests point it at a local server)
 * @param signatureTolerance how old a signed delivery may be (Stripe's default: 5 minutes); older ones are rejected
 * @param schedulerName     this process's name among the processes sharing the database (50 characters at most)
 * @param workerThreads     events processed in parallel by this process
 * @param pollInterval      how often workers look for due events (new ones also start at once)
 * @param retryBase         first retry delay after a Stripe API or engine error; doubles per attempt
 * @param maxAttempts       attempts before an event is marked FAILED (reconciliation still catches it up)
 * @param reconcileInterval how often the reconciliation job runs; null to not schedule it (call it yourself)
 * @param sweepAfter        an accepted event still waiting after this long is scheduled again (a safety net: the
 *                          delivery is recorded and scheduled in one transaction, so this only matters if a
 *                          scheduled execution was lost, e.g. deleted by hand)
 */
public record StripeSettings(SecretValue apiKey, SecretValue webhookSecret, String apiBase, Duration signatureTolerance,
                             String schedulerName, int workerThreads, Duration pollInterval, Duration retryBase,
                             int maxAttempts, Duration reconcileInterval, Duration sweepAfter) {

    public StripeSettings {
        if (apiKey == null || apiKey.length() == 0) throw new InvalidSpecException("stripe.apiKey", "is required");
        if (webhookSecret == null || webhookSecret.length() == 0) {
            throw new InvalidSpecException("stripe.webhookSecret", "is required");
        }
        if (signatureTolerance == null || signatureTolerance.isNegative() || signatureTolerance.isZero()) {
            throw new InvalidSpecException("stripe.signatureTolerance", "must be positive (a zero tolerance would accept any old delivery)");
        }
        if (schedulerName == null || schedulerName.isBlank() || schedulerName.length() > 50) {
            throw new InvalidSpecException("stripe.schedulerName", "must be 1-50 characters");
        }
        if (workerThreads < 1) throw new InvalidSpecException("stripe.workerThreads", "must be at least 1");
        if (maxAttempts < 1) throw new InvalidSpecException("stripe.maxAttempts", "must be at least 1");
        if (pollInterval == null || retryBase == null || sweepAfter == null) {
            throw new InvalidSpecException("stripe.pollInterval", "pollInterval, retryBase and sweepAfter are required");
        }
    }

    /** Production defaults: 5 minutes tolerance, 2 workers, 5 s polling, retries from 10 s, 8 attempts, hourly reconciliation. */
    public static StripeSettings defaults(SecretValue apiKey, SecretValue webhookSecret) {
        return new StripeSettings(apiKey, webhookSecret, null, Duration.ofMinutes(5), defaultName(), 2, Duration.ofSeconds(5),
                Duration.ofSeconds(10), 8, Duration.ofHours(1), Duration.ofMinutes(2));
    }

    /** The same settings against another API base (a Stripe-compatible proxy, or a local stand-in in tests). */
    public StripeSettings withApiBase(String base) {
        return new StripeSettings(apiKey, webhookSecret, base, signatureTolerance, schedulerName, workerThreads, pollInterval,
                retryBase, maxAttempts, reconcileInterval, sweepAfter);
    }

    /** Delay before attempt {@code attempt + 1}: base × 2^(attempt-1), capped at one hour. */
    public Duration retryDelay(int attempt) {
        Duration d = retryBase.multipliedBy(1L << Math.min(Math.max(attempt - 1, 0), 16));
        return d.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : d;
    }

    private static String defaultName() {
        String name = "stripe-" + ProcessHandle.current().pid();
        try {
            name = "stripe-" + java.net.InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
        } catch (java.net.UnknownHostException e) {
            // keep the pid-only name
        }
        return name.length() > 50 ? name.substring(0, 50) : name;
    }

    @Override
    public String toString() {
        return "StripeSettings[apiKey=****, webhookSecret=****, apiBase=" + apiBase + ", signatureTolerance=" + signatureTolerance
                + ", schedulerName=" + schedulerName + ", workerThreads=" + workerThreads + ", reconcileInterval=" + reconcileInterval + "]";
    }
}
