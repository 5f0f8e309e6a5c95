package dev.berth.testkit.memory;

import dev.berth.spi.wait.Poll;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Fault injection shared by the in-memory fakes. Each public operation of a fake is one {@code verb}; a test
 * can make calls of a verb fail, run slowly, or run a hook, and can count them.
 *
 * <p>Every call of a verb goes through these steps, in order:
 * <ol>
 *   <li>the call is counted ({@link #calls});</li>
 *   <li>hooks registered with {@link #onCall} run with the call's subject (an instance id, a host name, …);
 *       an exception thrown by a hook propagates and the call has no effect;</li>
 *   <li>the delay set with {@link #delay} is slept (real time);</li>
 *   <li>the oldest pending {@link #failNext}/{@link #failNextAfterEffect} rule is consumed; a
 *       {@code failNext} rule throws now, before any effect;</li>
 *   <li>if no rule was pending and {@link #failAlways} is set, its error is thrown, before any effect;</li>
 *   <li>the effect happens; if a {@code failNextAfterEffect} rule was consumed its error is thrown now,
 *       which is how a runtime behaves when it did the work but the answer was lost (a timeout).</li>
 * </ol>
 * Thread-safe.
 *
 * @param <V> the fake's verb enum
 */
public abstract class FaultInjecting<V extends Enum<V>> {

    private final Object lock = new Object();
    private final Map<V, Deque<Rule>> pending;
    private final Map<V, Supplier<? extends RuntimeException>> always;
    private final Map<V, Duration> delays;
    private final Map<V, List<Consumer<String>>> hooks;
    private final Map<V, AtomicInteger> calls;

    /** @param verbs the fake's verb enum */
    protected FaultInjecting(Class<V> verbs) {
        pending = new EnumMap<>(verbs);
        always = new EnumMap<>(verbs);
        delays = new EnumMap<>(verbs);
        hooks = new EnumMap<>(verbs);
        calls = new EnumMap<>(verbs);
        for (V verb : verbs.getEnumConstants()) {
            pending.put(verb, new ArrayDeque<>());
            hooks.put(verb, new CopyOnWriteArrayList<>());
            calls.put(verb, new AtomicInteger());
        }
    }

    /**
     * Makes the next {@code times} calls of {@code verb} throw a fresh error from {@code error} before they
     * have any effect. Rules queue up: a second {@code failNext} applies once the first is used up.
     */
    public void failNext(V verb, int times, Supplier<? extends RuntimeException> error) {
        addRule(verb, times, error, false);
    }

    /**
     * Makes the next {@code times} calls of {@code verb} do their work and then throw a fresh error from
     * {@code error}, as when a runtime finished the work but the caller timed out.
     */
    public void failNextAfterEffect(V verb, int times, Supplier<? extends RuntimeException> error) {
        addRule(verb, times, error, true);
    }

    /** Makes every call of {@code verb} fail before any effect (after pending one-off rules are used up). */
    public void failAlways(V verb, Supplier<? extends RuntimeException> error) {
        Objects.requireNonNull(error, "error");
        synchronized (lock) {
            always.put(Objects.requireNonNull(verb, "verb"), error);
        }
    }

    /** Makes every call of {@code verb} sleep {@code delay} (real time) before doing its work. */
    public void delay(V verb, Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        synchronized (lock) {
            delays.put(Objects.requireNonNull(verb, "verb"), delay);
        }
    }

    /**
     * Runs {@code hook} with the call's subject (instance id, host name, …; null for calls without one) at
     * the start of every call of {@code verb}. A hook that throws aborts the call before any effect, which
     * lets a test simulate a crash at a chosen step.
     */
    public void onCall(V verb, Consumer<String> hook) {
        hooks.get(Objects.requireNonNull(verb, "verb")).add(Objects.requireNonNull(hook, "hook"));
    }

    /** Removes every injected failure, delay and hook. Call counts are kept. */
    public void clearFaults() {
        synchronized (lock) {
            pending.values().forEach(Deque::clear);
            always.clear();
            delays.clear();
        }
        hooks.values().forEach(List::clear);
    }

    /** How many times {@code verb} was called, including calls that failed. */
    public int calls(V verb) {
        return calls.get(Objects.requireNonNull(verb, "verb")).get();
    }

    /** Runs one call of {@code verb} on {@code subject} through the steps described on this class. */
    protected final <T> T call(V verb, String subject, Supplier<T> effect) {
        calls.get(verb).incrementAndGet();
        for (Consumer<String> hook : hooks.get(verb)) {
            hook.accept(subject);
        }
        sleep(delayOf(verb));
        Supplier<? extends RuntimeException> afterEffect = null;
        synchronized (lock) {
            Rule rule = pending.get(verb).peek();
            if (rule != null) {
                if (--rule.remaining == 0) {
                    pending.get(verb).poll();
                }
                if (!rule.afterEffect) {
                    throw rule.error.get();
                }
                afterEffect = rule.error;
            } else if (always.containsKey(verb)) {
                throw always.get(verb).get();
            }
        }
        T result = effect.get();
        if (afterEffect != null) {
            throw afterEffect.get();
        }
        return result;
    }

    /** As {@link #call(Enum, String, Supplier)} for effects without a result. */
    protected final void run(V verb, String subject, Runnable effect) {
        call(verb, subject, () -> {
            effect.run();
            return null;
        });
    }

    private void addRule(V verb, int times, Supplier<? extends RuntimeException> error, boolean afterEffect) {
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(error, "error");
        if (times <= 0) {
            throw new IllegalArgumentException("times must be positive: " + times);
        }
        synchronized (lock) {
            pending.get(verb).add(new Rule(times, error, afterEffect));
        }
    }

    private Duration delayOf(V verb) {
        synchronized (lock) {
            return delays.getOrDefault(verb, Duration.ZERO);
        }
    }

    private static void sleep(Duration delay) {
        if (delay.isZero()) {
            return;
        }
        Poll.pause(delay, "an injected delay");
    }

    private static final class Rule {
        private int remaining;
        private final Supplier<? extends RuntimeException> error;
        private final boolean afterEffect;

        private Rule(int remaining, Supplier<? extends RuntimeException> error, boolean afterEffect) {
            this.remaining = remaining;
            this.error = error;
            this.afterEffect = afterEffect;
        }
    }
}
