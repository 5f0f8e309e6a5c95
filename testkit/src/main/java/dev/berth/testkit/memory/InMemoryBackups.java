package dev.berth.testkit.memory;

import dev.berth.spi.BackupSupport;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.testkit.memory.InMemoryProvider.Verb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Backup and restore of the {@link InMemoryProvider}'s instances: the data map is the archive. */
final class InMemoryBackups implements BackupSupport {

    private final InMemoryProvider provider;

    InMemoryBackups(InMemoryProvider provider) {
        this.provider = provider;
    }

    /** {@inheritDoc} The archive is the instance's data map, encoded deterministically. */
    @Override
    public BackupManifest backup(String instanceId, String backupId, BackupStore store) {
        Objects.requireNonNull(store, "store");
        if (backupId == null || backupId.isBlank()) {
            throw new InvalidSpecException("backupId", "must not be blank");
        }
        return provider.call(Verb.BACKUP, instanceId, () -> {
            Map<String, String> snapshot;
            BackupManifest manifest;
            synchronized (provider.lock) {
                HeldInstance held = provider.held(instanceId);
                snapshot = new TreeMap<>(held.data);
                manifest = new BackupManifest(backupId, instanceId, held.request.appId(), held.version,
                        provider.clock.instant(), 0, null, null);
            }
            // outside the lock: a slow store must not block other instances
            return store.put(manifest, new ByteArrayInputStream(MemoryArchive.encode(snapshot)));
        });
    }

    /** {@inheritDoc} Size and SHA-256 are verified before any data is replaced; the running state is kept. */
    @Override
    public void restore(String instanceId, BackupManifest backup, BackupStore store) {
        Objects.requireNonNull(backup, "backup");
        Objects.requireNonNull(store, "store");
        provider.run(Verb.RESTORE, instanceId, () -> {
            synchronized (provider.lock) {
                provider.held(instanceId); // an unknown instance fails before the store is read
            }
            byte[] bytes;
            try (InputStream in = store.open(backup.backupId())) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new UnavailableException("reading backup '" + backup.backupId() + "' failed", e);
            }
            if (bytes.length != backup.sizeBytes()
                    || !InMemoryBackupStore.sha256Hex(bytes).equalsIgnoreCase(String.valueOf(backup.sha256()))) {
                throw new BerthException("backup '" + backup.backupId() + "' does not match its manifest "
                        + "(size or SHA-256 differ); data left untouched", false);
            }
            Map<String, String> restored = MemoryArchive.decode(bytes, backup.backupId());
            synchronized (provider.lock) {
                HeldInstance held = provider.held(instanceId);
                held.data.clear();
                held.data.putAll(restored);
            }
        });
    }
}
