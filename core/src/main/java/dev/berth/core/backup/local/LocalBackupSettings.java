package dev.berth.core.backup.local;

import dev.berth.spi.error.InvalidSpecException;

import java.nio.file.Path;

/**
 * Where the default backup store keeps archives.
 *
 * @param directory a directory on storage that outlives the nodes (a mounted volume, a NAS share); created if
 *                  missing
 */
public record LocalBackupSettings(Path directory) {

    public LocalBackupSettings {
        if (directory == null) {
            throw new InvalidSpecException("backups.local.directory", "is required");
        }
    }

    /** {@code ./data/backups}, beside the default H2 database. */
    public static LocalBackupSettings defaults() {
        return new LocalBackupSettings(Path.of("data", "backups"));
    }
}
