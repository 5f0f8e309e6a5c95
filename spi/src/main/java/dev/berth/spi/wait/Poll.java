package dev.berth.spi.wait;

import dev.berth.spi.error.UnavailableException;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The one place in Berth where a thread waits: asks a condition again and again, with a fixed or growing pause,
 * until it yields a value or a deadline passes. Immutable; build one with {@link #every(Duration)}.
 *
 * <p>Providers use it for runtime work that has no completion callback (a Proxmox task, a lock, a rollout, a
 * probe). The lifecycle engine does not wait this way: a step that has to wait records when to look again and
 * releases its worker.
 *
 * <pre>{@code
 * String ip = Poll.every(Duration.ofMillis(200)).atMost(timeout)
 *         .until(() -> container.address(), () -> new UnavailableException("no address after " + timeout));
 * }</pre>
 *
 * Deadlines are measured on {@link System#nanoTime()}, not on a wall clock that a test may hold still.
 * An interrupt while pausing restores the thread's interrupt flag and throws {@link UnavailableException}.
 */
public final class Poll {

    private final Duration interval;
    private final Duration maxInterval;
    private final Duration timeout;

    private Poll(Duration interval, Duration maxInterval, Duration timeout) {
        this.interval = interval;
        this.maxInterval = maxInterval;
        this.timeout = timeout;
    }

    /** Polls with a fixed pause of {@code interval} and, until {@link #atMost} says otherwise, no deadline. */
    public static Poll every(Duration interval) {
        requirePositive(interval, "interval");
        return new Poll(interval, interval, null);
    }

    /** The same poll with the pause doubling after each try, up to {@code max}. */
    public Poll doublingUpTo(Duration max) {
        requirePositive(max, "max");
        return new Poll(interval, max.compareTo(interval) < 0 ? interval : max, timeout);
    }

    /** The same poll giving up after {@code timeout} (measured from the start of each {@code until} call). */
    public Poll atMost(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        return new Poll(interval, maxInterval, timeout);
    }

    /**
     * Asks {@code attempt} until it returns a value, at least once even with a zero timeout, and returns that
     * value. Exceptions from {@code attempt} end the poll at once.
     *
     * @param onTimeout the exception to throw when the deadline passes without a value; it may read state the
     *                  attempts left behind (the last answer seen) to say why
     */
    public <T> T until(Supplier<Optional<T>> attempt, Supplier<? extends RuntimeException> onTimeout) {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        Duration pause = interval;
        while (true) {
            Optional<T> value = attempt.get();
            if (value.isPresent()) {
                return value.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw onTimeout.get();
            }
            sleep(pause.toNanos() < left ? pause : Duration.ofNanos(left));
            pause = pause.multipliedBy(2).compareTo(maxInterval) > 0 ? maxInterval : pause.multipliedBy(2);
        }
    }

    /** As {@link #until(Supplier, Supplier)} for a condition that yields no value. */
    public void untilTrue(Supplier<Boolean> condition, Supplier<? extends RuntimeException> onTimeout) {
        until(() -> Boolean.TRUE.equals(condition.get()) ? Optional.of(Boolean.TRUE) : Optional.empty(), onTimeout);
    }

    /**
     * Pauses the calling thread for {@code duration}: the back-off between two tries of a call that failed for a
     * transient reason.
     *
     * @throws UnavailableException naming {@code what} when the thread is interrupted (its flag is set again)
     */
    public static void pause(Duration duration, String what) {
        try {
            sleep(duration);
        } catch (UnavailableException e) {
            throw new UnavailableException("interrupted while waiting for " + what, e.getCause());
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting", e);
        }
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    @Override
    public String toString() {
        return "Poll[every " + interval + (maxInterval.equals(interval) ? "" : " doubling up to " + maxInterval)
                + (timeout == null ? "" : ", at most " + timeout) + "]";
    }
}
