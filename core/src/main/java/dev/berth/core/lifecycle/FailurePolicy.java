package dev.berth.core.lifecycle;

import dev.berth.core.notify.NotificationSettings;
import dev.berth.core.operation.OperationType;
import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.RateLimitedException;

import java.time.Duration;
import java.time.Instant;

/**
 * What the engine does when a step throws, in one place: whether the error is worth another attempt, how many
 * attempts an operation gets, how long to wait before the next one, what a given-up operation undoes, and what it
 * does to the instance. {@link OperationRunner} records its decisions.
 */
final class FailurePolicy {

    /** What to do about a failed attempt. */
    sealed interface Decision {
        /** Try again at {@code at}; the steps this attempt finished are not repeated. */
        record Retry(Instant at) implements Decision { }

        /** Give up: compensate and record the operation FAILED. */
        record GiveUp() implements Decision { }
    }

    private final EngineSettings settings;
    private final NotificationSettings notifications;

    FailurePolicy(EngineSettings settings, NotificationSettings notifications) {
        this.settings = settings;
        this.notifications = notifications;
    }

    /** The decision after attempt number {@code attempts} of a {@code type} operation failed with {@code e}. */
    Decision decide(OperationType type, int attempts, RuntimeException e, Instant now) {
        if (!retryable(type, e) || attempts >= maxAttempts(type)) {
            return new Decision.GiveUp();
        }
        Duration delay = settings.retryDelay(attempts);
        if (e instanceof RateLimitedException r && r.retryAfter().compareTo(delay) > 0) {
            delay = r.retryAfter(); // never call a rate-limited service back sooner than it asked
        }
        return new Decision.Retry(now.plus(delay));
    }

    /** When to try the whole failure path again after compensation itself failed (compensation is idempotent). */
    Instant retryCompensationAt(int attempts, Instant now) {
        return now.plus(settings.retryDelay(attempts));
    }

    /** Errors that are not Berth's typed errors are taken as transient, so an unexpected bug is retried, not fatal. */
    private static boolean retryable(OperationType type, RuntimeException e) {
        // a mail server refusing Berth's login is fixed by the operator, after which the message should still go out
        return !(e instanceof BerthException be) || be.retryable()
                || (type == OperationType.NOTIFY && e instanceof AuthenticationException);
    }

    /** Messages have their own budget: a mail server may be down for longer than a runtime call is retried. */
    private int maxAttempts(OperationType type) {
        return type == OperationType.NOTIFY ? notifications.maxAttempts() : settings.maxAttempts();
    }

    /**
     * Undoes what a given-up operation created, so that nothing is orphaned: only a provision creates anything (its
     * runtime resources and DNS record). Idempotent, so a compensation that fails is simply run again later.
     */
    static void compensate(OperationRun run, OperationSupport s) {
        if (!OperationType.PROVISION.name().equals(run.op.type)) {
            return;
        }
        var i = s.instance(run);
        if (i.nodeId != null) {
            s.provider(i).terminate(i.id);
        }
        s.engine.dns.ifPresent(d -> d.delete(i.hostname));
    }

    /** Provision and terminate leave the instance FAILED; other commands leave it as it was. */
    static boolean failsInstance(OperationType type) {
        return type == OperationType.PROVISION || type == OperationType.TERMINATE;
    }

    /** Whether giving up frees room on a node: a failed instance's, or a failed migration's reservation. */
    static boolean freesCapacity(OperationType type) {
        return failsInstance(type) || type == OperationType.MIGRATE;
    }
}
