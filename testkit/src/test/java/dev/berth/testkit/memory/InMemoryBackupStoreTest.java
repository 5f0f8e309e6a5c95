package dev.berth.testkit.memory;

import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.error.NotFoundException;
import dev.berth.testkit.time.FakeClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryBackupStoreTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private final FakeClock clock = new FakeClock(T0);
    private final InMemoryBackupStore store = new InMemoryBackupStore(clock);

    @Test
    void putComputesSizeAndSha256IgnoringTheCallersValues() throws IOException {
        BackupManifest stored = store.put(manifest("b1", "i1", null, 999, "bogus"), bytes("abc"));

        assertThat(stored.sizeBytes()).isEqualTo(3);
        // SHA-256("abc") from FIPS 180-2
        assertThat(stored.sha256()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(stored.createdAt()).as("null createdAt takes the store's clock").isEqualTo(T0);
        assertThat(store.find("b1")).contains(stored);
        try (InputStream in = store.open("b1")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("abc");
        }
    }

    @Test
    void listIsPerInstanceAndNewestFirst() {
        store.put(manifest("old", "i1", T0, 0, null), bytes("1"));
        store.put(manifest("new", "i1", T0.plusSeconds(60), 0, null), bytes("2"));
        store.put(manifest("mid", "i1", T0.plusSeconds(30), 0, null), bytes("3"));
        store.put(manifest("other", "i2", T0.plusSeconds(90), 0, null), bytes("4"));
        // same timestamp: the one stored later counts as newer
        store.put(manifest("new-too", "i1", T0.plusSeconds(60), 0, null), bytes("5"));

        assertThat(store.list("i1")).extracting(BackupManifest::backupId)
                .containsExactly("new-too", "new", "mid", "old");
        assertThat(store.list("i2")).extracting(BackupManifest::backupId).containsExactly("other");
        assertThat(store.list("none")).isEmpty();
    }

    @Test
    void sameIdReplacesTheArchive() {
        store.put(manifest("b1", "i1", T0, 0, null), bytes("first"));
        BackupManifest second = store.put(manifest("b1", "i1", T0, 0, null), bytes("second!"));

        assertThat(store.list("i1")).containsExactly(second);
        assertThat(second.sizeBytes()).isEqualTo(7);
    }

    @Test
    void deleteIsIdempotentAndOpenOfMissingIsNotFound() {
        store.put(manifest("b1", "i1", T0, 0, null), bytes("x"));

        store.delete("b1");
        assertThatCode(() -> store.delete("b1")).doesNotThrowAnyException();

        assertThat(store.find("b1")).isEmpty();
        assertThatThrownBy(() -> store.open("b1")).isInstanceOfSatisfying(NotFoundException.class,
                e -> assertThat(e.kind()).isEqualTo("backup"));
    }

    @Test
    void interruptedWriteLeavesNothingListed() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk went away");
            }
        };

        assertThatThrownBy(() -> store.put(manifest("b1", "i1", T0, 0, null), failing)).isNotNull();

        assertThat(store.list("i1")).isEmpty();
        assertThat(store.find("b1")).isEmpty();
    }

    @Test
    void deleteOlderThanUsesCreatedAt() {
        store.put(manifest("old", "i1", T0, 0, null), bytes("1"));
        clock.advance(Duration.ofDays(10));
        store.put(manifest("new", "i1", null, 0, null), bytes("2"));

        assertThat(store.deleteOlderThan("i1", T0.plus(Duration.ofDays(5)))).isEqualTo(1);
        assertThat(store.list("i1")).extracting(BackupManifest::backupId).containsExactly("new");
    }

    @Test
    void corruptChangesBytesButNotTheManifest() {
        BackupManifest stored = store.put(manifest("b1", "i1", T0, 0, null), bytes("payload"));

        store.corrupt("b1");

        assertThat(store.find("b1")).contains(stored);
        assertThat(InMemoryBackupStore.sha256Hex(store.open("b1"))).isNotEqualTo(stored.sha256());
    }

    private static BackupManifest manifest(String id, String instance, Instant at, long size, String sha) {
        return new BackupManifest(id, instance, "app", "1.0.0", at, size, sha, null);
    }

    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
