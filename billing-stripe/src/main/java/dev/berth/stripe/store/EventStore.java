package dev.berth.stripe.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The {@code stripe_events} table: accepted events under a unique event id, and their processing state. */
public final class EventStore {

    private final Jdbc jdbc;

    public EventStore(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    /**
     * Records an accepted event (one statement, so one transaction) with status RECEIVED.
     *
     * @return false when the event id is already recorded: a duplicate delivery, nothing written
     */
    public boolean accept(ReceivedEvent e, Instant receivedAt) {
        return accept(e, receivedAt, c -> { });
    }

    /**
     * Records an accepted event and runs {@code sameTransaction} on the same connection before one commit (the
     * webhook schedules the event's work there, so the event is recorded if and only if its work is queued).
     *
     * @return false when the event id is already recorded: a duplicate delivery, nothing written
     */
    public boolean accept(ReceivedEvent e, Instant receivedAt, Consumer<Connection> sameTransaction) {
        try {
            jdbc.transaction(c -> {
                Jdbc.update(c, "insert into stripe_events (event_id, type, api_version, subscription_id, stripe_created, received_at, status, attempts)"
                                + " values (?, ?, ?, ?, ?, ?, ?, 0)",
                        e.eventId(), e.type(), e.apiVersion(), e.subscriptionId(), e.stripeCreated(), receivedAt, EventStatus.RECEIVED.name());
                sameTransaction.accept(c);
            });
            return true;
        } catch (Jdbc.DuplicateKeyException dup) {
            return false;
        }
    }

    public Optional<StoredEvent> find(String eventId) {
        return jdbc.query("select * from stripe_events where event_id = ?", rs -> new StoredEvent(
                new ReceivedEvent(rs.getString("event_id"), rs.getString("type"), rs.getString("api_version"),
                        rs.getString("subscription_id"), Jdbc.instant(rs, "stripe_created")),
                EventStatus.valueOf(rs.getString("status")), rs.getInt("attempts"), rs.getString("last_error"),
                Jdbc.instant(rs, "received_at")), eventId).stream().findFirst();
    }

    /** Marks the event applied. */
    public void markDone(String eventId, Instant at) {
        jdbc.update("update stripe_events set status = ?, attempts = attempts + 1, last_error = null, processed_at = ? where event_id = ?",
                EventStatus.DONE.name(), at, eventId);
    }

    /** Records a failed attempt; {@code giveUp} marks the event FAILED. */
    public void markAttemptFailed(String eventId, String error, boolean giveUp, Instant at) {
        String msg = error == null ? null : error.length() > 1900 ? error.substring(0, 1900) + "…" : error;
        jdbc.update("update stripe_events set status = ?, attempts = attempts + 1, last_error = ?, processed_at = ? where event_id = ?",
                giveUp ? EventStatus.FAILED.name() : EventStatus.RECEIVED.name(), msg, giveUp ? at : null, eventId);
    }

    /** Ids of events accepted before {@code before} and still queued, oldest first. */
    public List<String> queuedBefore(Instant before, int limit) {
        return jdbc.query("select event_id from stripe_events where status = ? and received_at < ? order by received_at",
                rs -> rs.getString(1), EventStatus.RECEIVED.name(), before).stream().limit(limit).toList();
    }

    /** How many events are in {@code status}. */
    public long count(EventStatus status) {
        return jdbc.query("select count(*) from stripe_events where status = ?", rs -> rs.getLong(1), status.name()).get(0);
    }
}
