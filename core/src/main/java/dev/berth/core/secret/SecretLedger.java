package dev.berth.core.secret;

import dev.berth.spi.SecretValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A test aid that lets CI prove no instance secret reaches a log: when the environment variable
 * {@value #ENV} names a file, every instance secret Berth stores (random or derived) is appended to it, one per
 * line, and the test script then searches every test log for those lines. Never set it in production: the file
 * holds secrets in clear; Berth logs a warning when it is set.
 */
final class SecretLedger {

    static final String ENV = "BERTH_TEST_SECRET_LEDGER";

    private static final Logger log = LoggerFactory.getLogger(SecretLedger.class);
    private static final Path FILE = ledger();

    private SecretLedger() {
    }

    private static Path ledger() {
        String value = System.getenv(ENV);
        if (value == null || value.isBlank()) {
            return null;
        }
        log.warn("{} is set: every instance secret is also written in clear to a test ledger; never do this in production", ENV);
        return Path.of(value);
    }

    static void record(SecretValue secret) {
        if (FILE == null) {
            return;
        }
        synchronized (SecretLedger.class) {
            try {
                Files.writeString(FILE, secret.reveal() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the test secret ledger " + FILE, e);
            }
        }
    }
}
