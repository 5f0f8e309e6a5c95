package dev.berth.examples.server;

import dev.berth.core.secret.SecretCipher;
import dev.berth.spi.error.InvalidSpecException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The operator's Tink keyset: read from its file, or generated there (owner-only) on a fresh machine. */
final class Keysets {

    private static final Logger log = LoggerFactory.getLogger(Keysets.class);

    private Keysets() {
    }

    /** The keyset JSON; never logged. */
    static String loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) return Files.readString(file);
            Files.createDirectories(file.toAbsolutePath().getParent());
            String json = SecretCipher.generateKeysetJson();
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file); // not a POSIX file system
            } catch (FileAlreadyExistsException e) {
                return Files.readString(file); // another process created it first
            }
            Files.writeString(file, json);
            // the keyset decrypts every instance secret: losing it loses them, so say where it is (never what)
            log.warn("generated a new encryption keyset at {}; back it up with the database", file.toAbsolutePath());
            return json;
        } catch (IOException e) {
            throw new InvalidSpecException("keysetFile", "cannot read or create " + file + ": " + e.getMessage());
        }
    }
}
