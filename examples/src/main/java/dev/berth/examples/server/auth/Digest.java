package dev.berth.examples.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of secrets (API keys, the metrics token): what is stored and compared instead of the secret. Comparing
 * two digests with {@link MessageDigest#isEqual} takes the same time whatever the secret's content or length.
 */
public final class Digest {

    private Digest() {
    }

    /** The SHA-256 of the UTF-8 bytes of {@code s}. */
    public static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
