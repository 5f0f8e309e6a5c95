package dev.berth.testkit.memory;

import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link BackupStore} that keeps archives as byte arrays. Computes size and SHA-256 on {@link #put}, lists
 * newest first (by {@code createdAt}, then by order of storing), and injects faults per {@link Verb}
 * (see {@link FaultInjecting}). Thread-safe.
 */
public final class InMemoryBackupStore extends FaultInjecting<InMemoryBackupStore.Verb> implements BackupStore {

    /** The store's operations, for fault injection. The subject passed to hooks is the backup id. */
    public enum Verb { PUT, OPEN, DELETE }

    private final Clock clock;
    private final Map<String, Stored> archives = new HashMap<>(); // guarded by this
    private long sequence; // guarded by this; orders backups with equal timestamps

    /** A store that stamps manifests without {@code createdAt} with the system UTC clock. */
    public InMemoryBackupStore() {
        this(Clock.systemUTC());
    }

    /** A store that stamps manifests without {@code createdAt} with {@code clock}. */
    public InMemoryBackupStore(Clock clock) {
        super(Verb.class);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * {@inheritDoc}
     *
     * <p>The archive is read completely before anything is stored, so a stream that fails half-way leaves
     * nothing behind. A null {@code createdAt} is replaced by the store's clock.
     */
    @Override
    public BackupManifest put(BackupManifest manifest, InputStream archive) {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(archive, "archive");
        if (manifest.backupId() == null || manifest.backupId().isBlank()) {
            throw new InvalidSpecException("backupId", "must not be blank");
        }
        if (manifest.instanceId() == null || manifest.instanceId().isBlank()) {
            throw new InvalidSpecException("instanceId", "must not be blank");
        }
        return call(Verb.PUT, manifest.backupId(), () -> {
            byte[] bytes;
            try {
                bytes = archive.readAllBytes();
            } catch (IOException e) {
                throw new UnavailableException("reading archive of backup '" + manifest.backupId() + "' failed", e);
            }
            Instant createdAt = manifest.createdAt() != null ? manifest.createdAt() : clock.instant();
            BackupManifest stored = new BackupManifest(manifest.backupId(), manifest.instanceId(), manifest.appId(),
                    manifest.appVersion(), createdAt, bytes.length, sha256Hex(bytes), manifest.encryptionKeyRef());
            synchronized (this) {
                archives.put(stored.backupId(), new Stored(stored, bytes, ++sequence));
            }
            return stored;
        });
    }

    /** {@inheritDoc} The stream reads a copy; later changes to the store do not affect it. */
    @Override
    public InputStream open(String backupId) {
        return call(Verb.OPEN, backupId, () -> {
            synchronized (this) {
                Stored s = archives.get(backupId);
                if (s == null) {
                    throw new NotFoundException("backup", backupId);
                }
                return new ByteArrayInputStream(s.bytes.clone());
            }
        });
    }

    @Override
    public synchronized Optional<BackupManifest> find(String backupId) {
        return Optional.ofNullable(archives.get(backupId)).map(Stored::manifest);
    }

    @Override
    public synchronized List<BackupManifest> list(String instanceId) {
        return archives.values().stream()
                .filter(s -> s.manifest.instanceId().equals(instanceId))
                .sorted(Comparator.comparing((Stored s) -> s.manifest.createdAt())
                        .thenComparingLong(Stored::sequence).reversed())
                .map(Stored::manifest)
                .toList();
    }

    @Override
    public void delete(String backupId) {
        run(Verb.DELETE, backupId, () -> {
            synchronized (this) {
                archives.remove(backupId);
            }
        });
    }

    /** Every stored manifest, in no particular order. */
    public synchronized List<BackupManifest> all() {
        return archives.values().stream().map(Stored::manifest).toList();
    }

    /**
     * Flips one bit of a stored archive while keeping its manifest, so that a test can check that a restore
     * verifies the checksum.
     *
     * @throws NotFoundException if no such backup exists
     */
    public synchronized void corrupt(String backupId) {
        Stored s = archives.get(backupId);
        if (s == null) {
            throw new NotFoundException("backup", backupId);
        }
        byte[] bytes = s.bytes.clone();
        if (bytes.length == 0) {
            bytes = new byte[] {1};
        } else {
            bytes[bytes.length / 2] ^= 1;
        }
        archives.put(backupId, new Stored(s.manifest, bytes, s.sequence));
    }

    /** Lower-case hex SHA-256 of {@code bytes}, as the store writes it into manifests. */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Lower-case hex SHA-256 of everything {@code in} yields; does not close it. */
    public static String sha256Hex(InputStream in) {
        try {
            return sha256Hex(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Stored(BackupManifest manifest, byte[] bytes, long sequence) { }
}
