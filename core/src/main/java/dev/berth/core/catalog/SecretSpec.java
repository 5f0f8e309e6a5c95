package dev.berth.core.catalog;

import dev.berth.spi.SecretValue;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * A secret an app instance needs (database password, encryption key). Berth generates it once, when the
 * instance is provisioned, stores it, and injects the same value on every start: it is never regenerated,
 * because apps such as n8n encrypt their data with it and a new value would make that data unreadable.
 *
 * @param name     name used in env templates as {@code ${secret.NAME}}; letters, digits and underscores
 * @param length   number of characters to generate, 16-1024
 * @param alphabet   characters to draw from
 * @param credential true when the secret is an initial login the customer receives in the "instance ready"
 *                   message (an admin password); false (the default) for secrets only the app uses (database
 *                   passwords, encryption keys), which are never sent to anyone
 * @param derivedFrom for a secret computed from another instead of drawn at random (an app that takes its
 *                   admin password only as a bcrypt hash, as n8n does), how; {@code null} for a random secret.
 *                   A derived secret ignores {@code length} and {@code alphabet}, is computed once when the
 *                   instance's secrets are generated, and is stored like any other
 */
public record SecretSpec(String name, int length, Alphabet alphabet, boolean credential, Derivation derivedFrom) {

    /** A secret only the app uses (not handed to the customer). */
    public SecretSpec(String name, int length, Alphabet alphabet) {
        this(name, length, alphabet, false, null);
    }

    /** A random secret, handed to the customer when {@code credential} is true. */
    public SecretSpec(String name, int length, Alphabet alphabet, boolean credential) {
        this(name, length, alphabet, credential, null);
    }

    /** A secret computed by {@code function} from the template's random secret {@code secret}. */
    public static SecretSpec derived(String name, String secret, Derivation.Function function) {
        return new SecretSpec(name, 0, null, false, new Derivation(secret, function));
    }

    /** True for a secret computed from another one. */
    public boolean derived() {
        return derivedFrom != null;
    }

    /**
     * How a derived secret is computed.
     *
     * @param secret   the random secret of the same template it is computed from
     * @param function the one-way function applied to it
     */
    public record Derivation(String secret, Function function) {

        /** One-way functions a derived secret may use. */
        public enum Function {
            /** bcrypt, version 2a, cost 10: what n8n's {@code N8N_INSTANCE_OWNER_PASSWORD_HASH} takes. */
            BCRYPT
        }
    }

    /**
     * Characters a generated secret is made of. All three are safe inside shell words, URLs, YAML, PHP and
     * SQL string literals, so a template can embed a secret anywhere without escaping.
     */
    public enum Alphabet {
        ALPHANUMERIC("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
        HEX("0123456789abcdef"),
        BASE64URL("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

        private final String chars;

        Alphabet(String chars) {
            this.chars = chars;
        }

        /** The characters of this alphabet. */
        public String chars() {
            return chars;
        }
    }

    /** Generates a fresh value of {@link #length()} characters drawn uniformly from {@link #alphabet()}. */
    public SecretValue generate(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        if (derived()) {
            throw new IllegalStateException("secret " + name + " is derived from " + derivedFrom.secret() + ", not drawn at random");
        }
        String chars = alphabet.chars();
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(chars.charAt(random.nextInt(chars.length()))); // nextInt(bound) is unbiased
        }
        return SecretValue.of(out.toString());
    }
}
