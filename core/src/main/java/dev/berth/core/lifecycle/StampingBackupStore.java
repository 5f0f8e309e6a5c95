package dev.berth.core.lifecycle;

import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;

import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The store handed to a provider for one backup. It fills in what only the engine knows (app, version, the
 * secret the data depends on, the time), so every provider's manifests say the same things: a restore of an n8n
 * backup must bring back the same {@code N8N_ENCRYPTION_KEY}, and the manifest says so.
 */
final class StampingBackupStore implements BackupStore {

    private final BackupStore delegate;
    private final String appId;
    private final String appVersion;
    private final String encryptionKeyRef;
    private final Clock clock;

    StampingBackupStore(BackupStore delegate, String appId, String appVersion, String encryptionKeyRef, Clock clock) {
        this.delegate = delegate;
        this.appId = appId;
        this.appVersion = appVersion;
        this.encryptionKeyRef = encryptionKeyRef;
        this.clock = clock;
    }

    @Override
    public BackupManifest put(BackupManifest m, InputStream archive) {
        return delegate.put(new BackupManifest(m.backupId(), m.instanceId(), appId, appVersion, clock.instant(),
                m.sizeBytes(), m.sha256(), encryptionKeyRef), archive);
    }

    @Override
    public InputStream open(String backupId) {
        return delegate.open(backupId);
    }

    @Override
    public Optional<BackupManifest> find(String backupId) {
        return delegate.find(backupId);
    }

    @Override
    public List<BackupManifest> list(String instanceId) {
        return delegate.list(instanceId);
    }

    @Override
    public void delete(String backupId) {
        delegate.delete(backupId);
    }
}
