package dev.berth.testkit.tck;

import dev.berth.spi.BackupSupport;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.error.NotFoundException;
import dev.berth.testkit.memory.InMemoryBackupStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TCK: backup and restore of instance data. Extend it only if the provider offers
 * {@link dev.berth.spi.RuntimeProvider#backups()}; every test here fails when the capability is
 * missing, so a provider cannot pass by accident.
 */
public abstract class BackupContract extends ProviderTckSupport {

    /** The provider declares the backup capability. */
    @Test
    public void capabilityDeclared() {
        assertThat(target().provider().backups()).as("provider().backups()").isPresent();
    }

    /** Data overwritten after a backup comes back with a restore, and the instance runs afterwards. */
    @Test
    public void restoreBringsBackTheBackedUpData() {
        String id = newInstanceId();
        provisionRunning(id);
        target().writeMarker(id, "original");
        BackupManifest manifest = backups().backup(id, newBackupId(), backupStore());

        target().writeMarker(id, "changed");
        assertThat(target().readMarker(id)).contains("changed");

        backups().restore(id, manifest, backupStore());

        awaitState(id, RuntimeState.RUNNING);
        assertThat(target().readMarker(id)).contains("original");
    }

    /** Restoring a stopped instance leaves it stopped, with the backed-up data there once it is resumed. */
    @Test
    public void restoreKeepsAStoppedInstanceStopped() {
        String id = newInstanceId();
        provisionRunning(id);
        target().writeMarker(id, "original");
        BackupManifest manifest = backups().backup(id, newBackupId(), backupStore());
        target().writeMarker(id, "changed");
        target().provider().suspend(id);
        awaitState(id, RuntimeState.STOPPED);

        backups().restore(id, manifest, backupStore());

        assertThat(awaitState(id, RuntimeState.STOPPED).state()).isEqualTo(RuntimeState.STOPPED);
        target().provider().resume(id);
        awaitState(id, RuntimeState.RUNNING);
        assertThat(target().readMarker(id)).contains("original");
    }

    /** The manifest names the instance and carries the size and SHA-256 of the bytes actually stored. */
    @Test
    public void manifestMatchesStoredArchive() {
        String id = newInstanceId();
        provisionRunning(id);
        target().writeMarker(id, "checksummed");
        String backupId = newBackupId();

        BackupManifest manifest = backups().backup(id, backupId, backupStore());

        assertThat(manifest.backupId()).isEqualTo(backupId);
        assertThat(manifest.instanceId()).isEqualTo(id);
        assertThat(manifest.sizeBytes()).isPositive();
        assertThat(manifest.sha256()).matches("[0-9a-f]{64}");
        byte[] stored = readAll(backupStore(), backupId);
        assertThat((long) stored.length).as("stored archive size").isEqualTo(manifest.sizeBytes());
        assertThat(InMemoryBackupStore.sha256Hex(stored)).as("SHA-256 of the stored archive")
                .isEqualTo(manifest.sha256());
        assertThat(backupStore().find(backupId)).contains(manifest);
    }

    /** Backing up twice with the same backup id replaces the first archive instead of adding a second. */
    @Test
    public void sameBackupIdReplacesTheArchive() {
        String id = newInstanceId();
        provisionRunning(id);
        String backupId = newBackupId();
        target().writeMarker(id, "first");
        backups().backup(id, backupId, backupStore());
        target().writeMarker(id, "second");

        BackupManifest second = backups().backup(id, backupId, backupStore());

        assertThat(backupStore().list(id)).extracting(BackupManifest::backupId).containsExactly(backupId);
        target().writeMarker(id, "third");
        backups().restore(id, second, backupStore());
        awaitState(id, RuntimeState.RUNNING);
        assertThat(target().readMarker(id)).contains("second");
    }

    /** Terminating the instance leaves its backups in the store. */
    @Test
    public void backupOutlivesTheInstance() {
        String id = newInstanceId();
        provisionRunning(id);
        target().writeMarker(id, "keep-me");
        BackupManifest manifest = backups().backup(id, newBackupId(), backupStore());

        target().provider().terminate(id);

        assertThat(inventoryOf(id)).isEmpty();
        assertThat(backupStore().list(id)).extracting(BackupManifest::backupId).contains(manifest.backupId());
        assertThat(readAll(backupStore(), manifest.backupId())).hasSize((int) manifest.sizeBytes());
    }

    /** Backup of an unknown instance, and restore from a missing backup, are NotFoundExceptions. */
    @Test
    public void unknownInstanceOrBackupThrowsNotFound() {
        String unknown = newInstanceId();
        assertThatThrownBy(() -> backups().backup(unknown, newBackupId(), backupStore()))
                .as("backup of an unknown instance").isInstanceOf(NotFoundException.class);
        assertThat(backupStore().list(unknown)).as("no archive for an unknown instance").isEmpty();

        String id = newInstanceId();
        provisionRunning(id);
        BackupManifest missing = new BackupManifest(newBackupId(), id, "tck-app", target().version(), Instant.now(), 1,
                "0".repeat(64), null);
        assertThatThrownBy(() -> backups().restore(id, missing, backupStore()))
                .as("restore from a missing backup").isInstanceOf(NotFoundException.class);
    }

    /** The provider's backup capability; fails the test when it is missing. */
    protected final BackupSupport backups() {
        return target().provider().backups()
                .orElseThrow(() -> new AssertionError(
                        "provider " + target().provider().kind() + " declares no backup capability"));
    }

    /** A new unique backup id. */
    protected final String newBackupId() {
        return "tck-backup-" + UUID.randomUUID();
    }

    private static byte[] readAll(BackupStore store, String backupId) {
        try (InputStream in = store.open(backupId)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
