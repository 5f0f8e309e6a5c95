package dev.berth.spi;

import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;

/**
 * Capability: archive an instance's data into a {@link BackupStore} and restore it. Both methods are
 * synchronous and safe to retry.
 */
public interface BackupSupport {

    /**
     * Archives all persistent data of the instance (it may be running or stopped) into {@code store}.
     * Retrying after a failure writes a new, complete archive; a partial archive is never left listed.
     *
     * @param backupId id chosen by the engine; the same id twice replaces the first archive
     * @return the stored manifest (size, checksum)
     * @throws dev.berth.spi.error.NotFoundException if the runtime holds no such instance
     */
    BackupManifest backup(String instanceId, String backupId, BackupStore store);

    /**
     * Replaces the instance's data with the archive: fresh volumes filled from the archive and verified
     * against its checksum, then the instance is started in the state it was in. Idempotent.
     *
     * @throws dev.berth.spi.error.NotFoundException if the instance or the backup does not exist
     */
    void restore(String instanceId, BackupManifest backup, BackupStore store);
}
