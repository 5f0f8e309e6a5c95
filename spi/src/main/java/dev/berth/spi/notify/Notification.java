package dev.berth.spi.notify;

import dev.berth.spi.SecretValue;

import java.util.Map;

/**
 * A message for a tenant or the operator.
 *
 * @param type        what happened
 * @param recipient   email address (or other address the notifier understands)
 * @param instanceId  the instance it is about, or null
 * @param values      non-secret values for the template (URL, app name, dates)
 * @param credentials initial credentials for {@link Type#INSTANCE_READY}; empty otherwise
 */
public record Notification(Type type, String recipient, String instanceId, Map<String, String> values,
                           Map<String, SecretValue> credentials) {

    public Notification {
        values = values == null ? Map.of() : Map.copyOf(values);
        credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
    }

    /** Kinds of message Berth sends. */
    public enum Type {
        INSTANCE_READY,
        INSTANCE_SUSPENDED,
        INSTANCE_RESUMED,
        TERMINATION_WARNING,
        INSTANCE_TERMINATED,
        BACKUP_FAILED,
        OPERATION_FAILED
    }
}
