package dev.berth.spi;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret string (password, key, token). Its {@link #toString()} is masked so that a secret carried in a
 * record, a map or an exception never reaches a log line by accident; only {@link #reveal()} gives the value,
 * and callers use it at the last moment (writing a container's env, sending the credential mail).
 */
public final class SecretValue {

    private final String value;

    private SecretValue(String value) {
        this.value = value;
    }

    /** Wraps a value. Also how configuration files (JSON, YAML) give secrets: as a plain string. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static SecretValue of(String value) {
        Objects.requireNonNull(value, "value");
        return new SecretValue(value);
    }

    /** The secret itself. Never log it. */
    public String reveal() {
        return value;
    }

    /** Number of characters; safe to log. */
    public int length() {
        return value.length();
    }

    @Override
    public boolean equals(Object o) {
        // constant-time comparison: secrets are compared when verifying keys and tokens
        return o instanceof SecretValue other
                && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), other.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return 0; // deliberately uninformative: a hash of a secret is a hint about it
    }

    @Override
    public String toString() {
        return "****";
    }
}
