package dev.berth.core.notify;

import dev.berth.spi.error.InvalidSpecException;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the engine sends and how hard it tries. Every message is a durable NOTIFY operation in the instance's
 * history, retried with the engine's backoff until it is sent or {@code maxAttempts} is reached; a message that
 * cannot be sent never changes the instance.
 *
 * @param operatorEmail      where operator messages (backup failed, operation failed) go; null sends none
 * @param terminationWarning how long before a scheduled termination the customer is warned
 * @param maxAttempts        sending attempts before a message is given up (FAILED in the history); at the
 *                           default 10-minute retry cap, 150 attempts keep trying for about a day; 0 means 150
 */
public record NotificationSettings(String operatorEmail, Duration terminationWarning, int maxAttempts) {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    public NotificationSettings {
        if (operatorEmail != null && !EMAIL.matcher(operatorEmail).matches()) {
            throw new InvalidSpecException("notifications.operatorEmail", "is not an email address");
        }
        terminationWarning = Objects.requireNonNullElse(terminationWarning, Duration.ofDays(7));
        if (terminationWarning.isNegative()) {
            throw new InvalidSpecException("notifications.terminationWarning", "must not be negative");
        }
        if (maxAttempts == 0) {
            maxAttempts = 150; // left out of a configuration file
        }
        if (maxAttempts < 1) {
            throw new InvalidSpecException("notifications.maxAttempts", "must be at least 1");
        }
    }

    /** No operator address, warnings 7 days ahead, 150 attempts. */
    public static NotificationSettings defaults() {
        return new NotificationSettings(null, Duration.ofDays(7), 150);
    }

    public NotificationSettings withOperatorEmail(String email) {
        return new NotificationSettings(email, terminationWarning, maxAttempts);
    }

    public NotificationSettings withMaxAttempts(int attempts) {
        return new NotificationSettings(operatorEmail, terminationWarning, attempts);
    }

    public NotificationSettings withTerminationWarning(Duration before) {
        return new NotificationSettings(operatorEmail, before, maxAttempts);
    }
}
