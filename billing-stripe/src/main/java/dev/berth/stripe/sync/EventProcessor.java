package dev.berth.stripe.sync;

import com.stripe.exception.StripeException;
import dev.berth.spi.error.BerthException;
import dev.berth.stripe.StripeSettings;
import dev.berth.stripe.store.EventStatus;
import dev.berth.stripe.store.EventStore;
import dev.berth.stripe.store.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * The durable work behind an accepted webhook event: converge the event's subscription, then mark the event
 * done. Safe to run more than once (after a crash, or concurrently with a duplicate): converging is idempotent and
 * Berth records the event id under a unique key with the change it makes.
 */
public final class EventProcessor {

    private static final Logger log = LoggerFactory.getLogger(EventProcessor.class);

    private final EventStore events;
    private final SubscriptionSync sync;
    private final StripeSettings settings;
    private final Clock clock;

    public EventProcessor(EventStore events, SubscriptionSync sync, StripeSettings settings, Clock clock) {
        this.events = events;
        this.sync = sync;
        this.settings = settings;
        this.clock = clock;
    }

    /** @return when to try again, or empty when the event is finished (done, or given up) */
    public Optional<Instant> process(String eventId) {
        Optional<StoredEvent> stored = events.find(eventId);
        if (stored.isEmpty() || stored.get().status() != EventStatus.RECEIVED) return Optional.empty();
        StoredEvent e = stored.get();
        boolean permanent;
        String error;
        try {
            SubscriptionSync.Outcome outcome = sync.converge(e.event().subscriptionId(), "stripe:" + eventId);
            events.markDone(eventId, clock.instant());
            log.debug("Stripe event {} ({}) for {}: {}", eventId, e.event().type(), e.event().subscriptionId(), outcome);
            return Optional.empty();
        } catch (StripeException x) {
            // a subscription Stripe does not know will not appear by retrying; anything else (network, 429, 5xx) may
            permanent = x.getStatusCode() != null && x.getStatusCode() == 404;
            error = "Stripe API: " + x.getClass().getSimpleName() + " " + x.getStatusCode() + " " + x.getCode();
        } catch (BerthException x) {
            permanent = !x.retryable();
            error = x.getClass().getSimpleName() + ": " + x.getMessage();
        } catch (RuntimeException x) {
            permanent = false;
            error = x.getClass().getSimpleName() + ": " + x.getMessage();
        }
        int attempt = e.attempts() + 1;
        boolean giveUp = permanent || attempt >= settings.maxAttempts();
        events.markAttemptFailed(eventId, error, giveUp, clock.instant());
        if (giveUp) {
            log.warn("Stripe event {} ({}) failed for good after {} attempt(s): {}; reconciliation will converge {}",
                    eventId, e.event().type(), attempt, error, e.event().subscriptionId());
            return Optional.empty();
        }
        log.info("Stripe event {} attempt {} failed, retrying: {}", eventId, attempt, error);
        return Optional.of(Instant.now().plus(settings.retryDelay(attempt)));
    }
}
