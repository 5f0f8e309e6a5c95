package dev.berth.core.backup.local;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The default {@link BackupStore}: archives in a local directory, one folder per instance, each archive beside a
 * JSON manifest ({@code <id>.archive} and {@code <id>.manifest.json}). Writes are atomic: the archive and then
 * the manifest are written to temporary files, flushed to disk and moved into place, and only a manifest makes a
 * backup visible, so a write interrupted anywhere leaves nothing listed. Size and SHA-256 are computed while
 * writing, and a stream from {@link #open} fails at its end if the bytes no longer match the checksum.
 */
public final class LocalBackupStore implements BackupStore {

    private static final Logger log = LoggerFactory.getLogger(LocalBackupStore.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final String ARCHIVE = ".archive";
    private static final String MANIFEST = ".manifest.json";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final Path root;
    private final Clock clock;

    public LocalBackupStore(LocalBackupSettings settings, Clock clock) {
        this.root = settings.directory().toAbsolutePath().normalize();
        this.clock = clock;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UnavailableException("cannot create the backup directory " + root + ": " + e.getMessage(), e);
        }
    }

    public LocalBackupStore(LocalBackupSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /** The directory archives are kept in. */
    public Path directory() {
        return root;
    }

    @Override
    public BackupManifest put(BackupManifest manifest, InputStream archive) {
        String backupId = id("backupId", manifest.backupId());
        Path dir = root.resolve(id("instanceId", manifest.instanceId()));
        Path tmpArchive = null;
        Path tmpManifest = null;
        try {
            Files.createDirectories(dir);
            tmpArchive = dir.resolve("." + backupId + "." + UUID.randomUUID() + ".tmp");
            MessageDigest sha = sha256();
            long size;
            try (InputStream in = new DigestInputStream(archive, sha);
                 FileChannel ch = FileChannel.open(tmpArchive, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                size = in.transferTo(out);
                out.flush();
                ch.force(true); // on disk before it is moved into place and listed
            }
            BackupManifest stored = new BackupManifest(backupId, manifest.instanceId(), manifest.appId(), manifest.appVersion(),
                    manifest.createdAt() != null ? manifest.createdAt() : clock.instant(), size,
                    HexFormat.of().formatHex(sha.digest()), manifest.encryptionKeyRef());
            // a replaced backup is first made invisible, so that no reader pairs the old manifest with the new archive
            Files.deleteIfExists(dir.resolve(backupId + MANIFEST));
            move(tmpArchive, dir.resolve(backupId + ARCHIVE));
            tmpManifest = dir.resolve("." + backupId + "." + UUID.randomUUID() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmpManifest, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(stored)));
                ch.force(true);
            }
            move(tmpManifest, dir.resolve(backupId + MANIFEST));
            log.info("stored backup {} of instance {} ({} bytes)", backupId, stored.instanceId(), size);
            return stored;
        } catch (IOException e) {
            throw new UnavailableException("writing backup " + backupId + " to " + dir + " failed: " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmpArchive);
            deleteQuietly(tmpManifest);
        }
    }

    @Override
    public InputStream open(String backupId) {
        BackupManifest m = find(backupId).orElseThrow(() -> new NotFoundException("backup", backupId));
        Path archive = root.resolve(m.instanceId()).resolve(m.backupId() + ARCHIVE);
        try {
            return new VerifyingInputStream(Files.newInputStream(archive), m);
        } catch (NoSuchFileException e) {
            throw new NotFoundException("backup", backupId);
        } catch (IOException e) {
            throw new UnavailableException("reading backup " + backupId + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<BackupManifest> find(String backupId) {
        String id = id("backupId", backupId);
        for (Path dir : instanceDirs()) {
            Path manifest = dir.resolve(id + MANIFEST);
            if (Files.exists(manifest)) {
                return Optional.ofNullable(read(manifest));
            }
        }
        return Optional.empty();
    }

    @Override
    public List<BackupManifest> list(String instanceId) {
        Path dir = root.resolve(id("instanceId", instanceId));
        List<BackupManifest> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + MANIFEST)) {
            for (Path f : files) {
                if (f.getFileName().toString().startsWith(".")) continue;
                BackupManifest m = read(f);
                if (m != null) out.add(m);
            }
        } catch (IOException e) {
            throw new UnavailableException("listing backups of " + instanceId + " failed: " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(BackupManifest::createdAt).thenComparing(BackupManifest::backupId).reversed());
        return out;
    }

    @Override
    public void delete(String backupId) {
        Optional<BackupManifest> m = find(backupId);
        if (m.isEmpty()) {
            return;
        }
        Path dir = root.resolve(m.get().instanceId());
        try {
            // the manifest goes first: from then on the backup is not listed, even if removing the archive fails
            Files.deleteIfExists(dir.resolve(backupId + MANIFEST));
            Files.deleteIfExists(dir.resolve(backupId + ARCHIVE));
            log.info("deleted backup {} of instance {}", backupId, m.get().instanceId());
        } catch (IOException e) {
            throw new UnavailableException("deleting backup " + backupId + " failed: " + e.getMessage(), e);
        }
    }

    private List<Path> instanceDirs() {
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root, Files::isDirectory)) {
            s.forEach(dirs::add);
        } catch (IOException e) {
            throw new UnavailableException("reading the backup directory " + root + " failed: " + e.getMessage(), e);
        }
        return dirs;
    }

    private static BackupManifest read(Path manifest) {
        try {
            return JSON.readValue(manifest.toFile(), BackupManifest.class);
        } catch (NoSuchFileException e) {
            return null; // deleted while we looked
        } catch (IOException e) {
            throw new UnavailableException("unreadable backup manifest " + manifest + ": " + e.getMessage(), e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // same directory, so this only happens on exotic file systems; a plain replace is the best left
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.warn("could not remove temporary file {}: {}", p, e.getMessage());
        }
    }

    /** Ids become file names, so only safe characters are accepted (no separators, no leading dot). */
    private static String id(String field, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw new InvalidSpecException(field, "must be 1-200 letters, digits, dots, dashes or underscores");
        }
        return value;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Passes the archive through and, at its end, fails unless size and SHA-256 match the manifest. */
    private static final class VerifyingInputStream extends FilterInputStream {
        private final BackupManifest manifest;
        private final MessageDigest sha;
        private long read;
        private boolean checked;

        VerifyingInputStream(InputStream in, BackupManifest manifest) {
            this(in, manifest, sha256());
        }

        private VerifyingInputStream(InputStream in, BackupManifest manifest, MessageDigest sha) {
            super(new DigestInputStream(in, sha));
            this.manifest = manifest;
            this.sha = sha;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) verify(); else read++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0) verify(); else read += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // skipping must still feed the digest, or the check at the end would always fail
            long skipped = 0;
            byte[] buf = new byte[8192];
            while (skipped < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
                if (r < 0) break;
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        private void verify() throws IOException {
            if (checked) return;
            checked = true;
            String actual = HexFormat.of().formatHex(sha.digest());
            if (read != manifest.sizeBytes() || !actual.equals(manifest.sha256())) {
                throw new IOException("backup " + manifest.backupId() + " is corrupt: expected " + manifest.sizeBytes()
                        + " bytes with SHA-256 " + manifest.sha256() + ", read " + read + " bytes with " + actual);
            }
        }
    }
}
