package dev.berth.spi.backup;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where backup archives live (a local directory, object storage). Archives are opaque byte streams; the
 * store computes size and checksum while writing.
 */
public interface BackupStore {

    /**
     * Stores an archive. The manifest's size and checksum are ignored and computed from the stream.
     * Idempotent by backup id: storing the same id again replaces the archive. An interrupted write leaves
     * nothing listed.
     *
     * @return the manifest as stored, with size and SHA-256
     */
    BackupManifest put(BackupManifest manifest, InputStream archive);

    /**
     * Opens a stored archive for reading. The caller closes the stream.
     *
     * @throws dev.berth.spi.error.NotFoundException if no such backup exists
     */
    InputStream open(String backupId);

    /** The manifest of one backup. */
    Optional<BackupManifest> find(String backupId);

    /** Backups of one instance, newest first. */
    List<BackupManifest> list(String instanceId);

    /** Deletes a backup. Idempotent: deleting a missing backup succeeds. */
    void delete(String backupId);

    /** Deletes the instance's backups created before {@code cutoff}; returns how many were deleted. */
    default int deleteOlderThan(String instanceId, Instant cutoff) {
        int deleted = 0;
        for (BackupManifest m : list(instanceId)) {
            if (m.createdAt().isBefore(cutoff)) {
                delete(m.backupId());
                deleted++;
            }
        }
        return deleted;
    }
}
