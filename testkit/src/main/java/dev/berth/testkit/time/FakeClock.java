package dev.berth.testkit.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that only moves when a test moves it. Thread-safe: workers may read it while the test
 * advances it. Clocks derived with {@link #withZone(ZoneId)} share the same time, so advancing one advances
 * all of them (the engine may ask for a zoned clock and the test still controls it).
 *
 * <p>The clock keeps whole microseconds, as the databases Berth stores its times in do. With nanoseconds, a time
 * written and read back (rounded by the database) could differ from the same time computed in memory, and a test
 * that moves the clock exactly to a deadline would then stand a fraction of a microsecond before it.
 */
public final class FakeClock extends Clock {

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    /** A clock standing at {@code start}, in UTC. */
    public FakeClock(Instant start) {
        this(new AtomicReference<>(micros(Objects.requireNonNull(start, "start"))), ZoneOffset.UTC);
    }

    private FakeClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /**
     * Moves the clock forward by {@code amount} and returns the new time.
     *
     * @throws IllegalArgumentException if {@code amount} is negative; use {@link #set(Instant)} to go back
     */
    public Instant advance(Duration amount) {
        Objects.requireNonNull(amount, "amount");
        if (amount.isNegative()) {
            // a negative advance is nearly always a sign mistake in a test; going back must be explicit
            throw new IllegalArgumentException("cannot advance by a negative duration " + amount + "; use set()");
        }
        return now.updateAndGet(t -> micros(t.plus(amount)));
    }

    /** Puts the clock at {@code instant} (forward or backward). */
    public void set(Instant instant) {
        now.set(micros(Objects.requireNonNull(instant, "instant")));
    }

    private static Instant micros(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public FakeClock withZone(ZoneId zone) {
        return new FakeClock(now, Objects.requireNonNull(zone, "zone"));
    }

    @Override
    public String toString() {
        return "FakeClock[" + now.get() + ", " + zone + "]";
    }
}
