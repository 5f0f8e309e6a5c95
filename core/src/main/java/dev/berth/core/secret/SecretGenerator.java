package dev.berth.core.secret;

import dev.berth.spi.SecretValue;

import dev.berth.spi.error.InvalidSpecException;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Generates random secrets (database passwords, API tokens, …) from a {@link SecureRandom}.
 *
 * <p>Each character is drawn independently and uniformly with {@link SecureRandom#nextInt(int)}, which rejects
 * out-of-range samples internally, so there is no modulo bias. Thread-safe.
 */
public final class SecretGenerator {

    /** Shortest secret {@link #generate} produces. */
    public static final int MIN_LENGTH = 8;
    /** Longest secret {@link #generate} produces. */
    public static final int MAX_LENGTH = 256;

    private final SecureRandom random;

    /** A generator backed by a new default {@link SecureRandom}. */
    public SecretGenerator() {
        this(new SecureRandom());
    }

    /** A generator backed by the given source (for example a {@code SecureRandom.getInstanceStrong()}). */
    public SecretGenerator(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * A new secret of {@code length} characters from {@code alphabet}.
     *
     * @throws InvalidSpecException (field {@code "length"}) when length is outside {@value #MIN_LENGTH}..{@value #MAX_LENGTH}
     */
    public SecretValue generate(int length, SecretAlphabet alphabet) {
        Objects.requireNonNull(alphabet, "alphabet");
        if (length < MIN_LENGTH || length > MAX_LENGTH) {
            throw new InvalidSpecException("length",
                    "must be between " + MIN_LENGTH + " and " + MAX_LENGTH + ", was " + length);
        }
        String symbols = alphabet.symbols();
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = symbols.charAt(random.nextInt(symbols.length()));
        }
        SecretValue secret = SecretValue.of(new String(chars));
        Arrays.fill(chars, '\0');
        return secret;
    }

    @Override
    public String toString() {
        return "SecretGenerator";
    }
}
