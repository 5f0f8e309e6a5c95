package dev.berth.core.backup.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalBackupStoreTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;

    private LocalBackupStore store() {
        return new LocalBackupStore(new LocalBackupSettings(dir), Clock.fixed(T0, ZoneOffset.UTC));
    }

    private static BackupManifest manifest(String id, String instance, Instant at) {
        return new BackupManifest(id, instance, "n8n", "2.10.2", at, -1, "ignored", "N8N_ENCRYPTION_KEY");
    }

    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void putWritesArchiveAndManifestWithSizeChecksumAndTheKeyReference() throws IOException {
        var store = store();
        BackupManifest stored = store.put(manifest("b1", "inst-1", null), bytes("abc"));

        assertThat(stored.sizeBytes()).isEqualTo(3);
        assertThat(stored.sha256()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(stored.createdAt()).isEqualTo(T0);
        assertThat(store.find("b1")).contains(stored);
        try (InputStream in = store.open("b1")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("abc");
        }
        // the manifest on disk says what a person restoring by hand needs to know
        JsonNode onDisk = new ObjectMapper().readTree(dir.resolve("inst-1/b1.manifest.json").toFile());
        assertThat(onDisk.get("instanceId").asText()).isEqualTo("inst-1");
        assertThat(onDisk.get("appVersion").asText()).isEqualTo("2.10.2");
        assertThat(onDisk.get("encryptionKeyRef").asText()).isEqualTo("N8N_ENCRYPTION_KEY");
        assertThat(onDisk.get("createdAt").asText()).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(onDisk.get("sizeBytes").asLong()).isEqualTo(3);
        assertThat(Files.readString(dir.resolve("inst-1/b1.archive"))).isEqualTo("abc");
    }

    @Test
    void listIsPerInstanceNewestFirstAndSurvivesARestart() {
        var store = store();
        store.put(manifest("old", "i1", T0), bytes("1"));
        store.put(manifest("new", "i1", T0.plusSeconds(60)), bytes("2"));
        store.put(manifest("mid", "i1", T0.plusSeconds(30)), bytes("3"));
        store.put(manifest("other", "i2", T0.plusSeconds(90)), bytes("4"));

        var reopened = store();
        assertThat(reopened.list("i1")).extracting(BackupManifest::backupId).containsExactly("new", "mid", "old");
        assertThat(reopened.list("i2")).extracting(BackupManifest::backupId).containsExactly("other");
        assertThat(reopened.list("none")).isEmpty();
        assertThat(reopened.find("mid")).map(BackupManifest::instanceId).contains("i1");
    }

    @Test
    void sameIdReplacesTheArchive() throws IOException {
        var store = store();
        store.put(manifest("b1", "i1", T0), bytes("first"));
        BackupManifest second = store.put(manifest("b1", "i1", T0), bytes("second!"));
        assertThat(store.list("i1")).containsExactly(second);
        try (InputStream in = store.open("b1")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("second!");
        }
    }

    @Test
    void anInterruptedWriteLeavesNothingListedAndNoTemporaryFiles() throws IOException {
        var store = store();
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ > 1000) throw new IOException("disk of the node went away");
                return 'x';
            }
        };
        assertThatThrownBy(() -> store.put(manifest("b1", "i1", T0), failing))
                .isInstanceOfSatisfying(UnavailableException.class, e -> assertThat(e.retryable()).isTrue());
        assertThat(store.list("i1")).isEmpty();
        assertThat(store.find("b1")).isEmpty();
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void aCorruptArchiveFailsAtTheEndOfReading() throws IOException {
        var store = store();
        store.put(manifest("b1", "i1", T0), bytes("important data"));
        Files.writeString(dir.resolve("i1/b1.archive"), "important dat4");
        assertThatThrownBy(() -> {
            try (InputStream in = store.open("b1")) {
                in.readAllBytes();
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("corrupt");
    }

    @Test
    void deleteIsIdempotentAndOpenOfAMissingBackupIsNotFound() {
        var store = store();
        store.put(manifest("b1", "i1", T0), bytes("x"));
        store.delete("b1");
        assertThat(store.list("i1")).isEmpty();
        assertThat(dir.resolve("i1/b1.archive")).doesNotExist();
        assertThatCode(() -> store.delete("b1")).doesNotThrowAnyException();
        assertThatThrownBy(() -> store.open("b1")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void idsThatWouldEscapeTheDirectoryAreRefused() {
        var store = store();
        assertThatThrownBy(() -> store.put(manifest("../evil", "i1", T0), bytes("x")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("backupId"));
        assertThatThrownBy(() -> store.put(manifest("b1", "../../etc", T0), bytes("x")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("instanceId"));
        assertThatThrownBy(() -> store.list("a/b")).isInstanceOf(InvalidSpecException.class);
        assertThat(dir.getParent().resolve("etc")).doesNotExist();
    }
}
