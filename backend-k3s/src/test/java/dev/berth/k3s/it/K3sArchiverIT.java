package dev.berth.k3s.it;

import dev.berth.k3s.K3sProvider;
import dev.berth.k3s.objects.InstanceObjects;
import dev.berth.k3s.objects.InstanceSpec;
import dev.berth.k3s.objects.Labels;
import dev.berth.k3s.objects.Quantities;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.error.BerthException;
import dev.berth.testkit.memory.InMemoryBackupStore;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Backup and restore through the archiver Job, beyond the TCK: what the archive holds, that a backup fits next to a
 * plan that is fully used, that the Job never outlives its use, and that a restore which cannot complete leaves
 * the claims as they were and the app running.
 */
class K3sArchiverIT {

    private static final ResourceLimits PLAN = new ResourceLimits(300, 1000, 128 * ResourceLimits.MIB, 256 * ResourceLimits.MIB,
            4 * ResourceLimits.GIB);

    private final TestCluster cluster = TestCluster.get();
    private final K3sProvider provider = cluster.provider;
    private final InMemoryBackupStore store = new InMemoryBackupStore();
    private final List<String> created = new ArrayList<>();

    @AfterEach
    void terminateAll() {
        created.forEach(provider::terminate);
    }

    @Test
    void theArchiveHoldsEveryClaimByNameTakenWhileThePlanIsFullyUsed() throws IOException {
        String id = runningInstance();
        String ns = provider.objects().namespace(id);
        write(id, "app-data", "notes/today.txt", "app data");
        write(id, "db-data", "base/1.dat", "db data");
        await("compute quota fully used").atMost(Duration.ofSeconds(60)).until(() -> cluster.kube.get(V1ResourceQuota.class, ns,
                InstanceObjects.COMPUTE_QUOTA).map(q -> q.getStatus() != null && q.getStatus().getUsed() != null
                && Quantities.millis(q.getStatus().getUsed().get("requests.cpu")) == PLAN.cpuRequestMillis()).orElse(false));

        BackupManifest manifest = provider.backups().orElseThrow().backup(id, "b-" + id, store);

        assertThat(entries(manifest)).contains("app-data/notes/today.txt", "db-data/base/1.dat");
        assertThat(manifest.appId()).isEqualTo("tck-app");
        assertThat(manifest.appVersion()).isEqualTo("1.0.0");
        assertThat(cluster.kube.list(V1Job.class, ns, Labels.instanceSelector(id))).as("archiver Jobs after the backup").isEmpty();
        await("archiver pod gone").atMost(Duration.ofSeconds(60)).until(() -> archiverPods(id).isEmpty());
        assertThat(provider.status(id).state()).isEqualTo(RuntimeState.RUNNING);
    }

    @Test
    void anArchiverLeftByACrashedAttemptIsReplaced() {
        String id = runningInstance();
        InstanceSpec spec = InstanceSpec.fromJson(cluster.kube.get(V1Namespace.class, null, provider.objects().namespace(id))
                .orElseThrow().getMetadata().getAnnotations().get(Labels.SPEC));
        cluster.kube.apply(provider.objects().archiverJob(spec, InstanceObjects.ARCHIVER + "-backup",
                InstanceObjects.claimNames(spec), true, null));
        await("leftover archiver running").atMost(Duration.ofSeconds(60)).until(() -> !archiverPods(id).isEmpty());
        write(id, "app-data", "marker", "after the crash");

        BackupManifest manifest = provider.backups().orElseThrow().backup(id, "b-" + id, store);

        assertThat(entries(manifest)).contains("app-data/marker");
    }

    @Test
    void aRestoreThatCannotUnpackLeavesTheClaimsAndTheAppRunning() throws IOException {
        String id = runningInstance();
        write(id, "app-data", "marker", "live");
        write(id, "db-data", "marker", "live db");
        // a well-formed archive (its manifest matches) that lacks the db claim's directory
        byte[] partial = tar(Map.of("app-data/marker", "from a partial archive"));
        BackupManifest manifest = store.put(new BackupManifest("partial-" + id, id, "tck-app", "1.0.0", Instant.now(), 0, null, null),
                new ByteArrayInputStream(partial));

        assertThatThrownBy(() -> provider.backups().orElseThrow().restore(id, manifest, store)).isInstanceOf(BerthException.class)
                .hasMessageContaining("no data for claim db-data");

        assertThat(read(id, "app-data", "marker")).isEqualTo("live");
        assertThat(read(id, "db-data", "marker")).isEqualTo("live db");
        await("running again").atMost(Duration.ofSeconds(90)).until(() -> provider.status(id).state() == RuntimeState.RUNNING);
        await("archiver pod gone").atMost(Duration.ofSeconds(60)).until(() -> archiverPods(id).isEmpty());
    }

    @Test
    void anArchiveThatDoesNotMatchItsManifestIsRefusedBeforeAnythingStops() throws IOException {
        String id = runningInstance();
        write(id, "app-data", "marker", "backed up");
        BackupManifest good = provider.backups().orElseThrow().backup(id, "b-" + id, store);
        write(id, "app-data", "marker", "current");
        Set<String> podsBefore = appPodUids(id);
        BackupManifest tampered = new BackupManifest(good.backupId(), id, good.appId(), good.appVersion(), good.createdAt(),
                good.sizeBytes(), "0".repeat(64), null);

        assertThatThrownBy(() -> provider.backups().orElseThrow().restore(id, tampered, store)).isInstanceOf(BerthException.class)
                .hasMessageContaining("does not match its manifest")
                .satisfies(e -> assertThat(((BerthException) e).retryable()).isFalse());

        assertThat(appPodUids(id)).as("the app's pods were never stopped").isEqualTo(podsBefore);
        assertThat(read(id, "app-data", "marker")).isEqualTo("current");
    }

    // ------------------------------------------------------------------------------------------ helpers

    private String runningInstance() {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        String id = "ar-" + HexFormat.of().formatHex(random);
        created.add(id);
        provider.provision(new ProvisionRequest(id, "tenant-it", id, id + ".it.invalid", "tck-app", "1.0.0",
                TestCluster.components("1.0.0"), PLAN, TestCluster.NODE, Map.of()));
        await(id + " running").atMost(Duration.ofSeconds(90)).until(() -> provider.status(id).state() == RuntimeState.RUNNING);
        return id;
    }

    private Path claim(String id, String claim) {
        return cluster.kubelet.claimDir(provider.objects().namespace(id), claim);
    }

    private void write(String id, String claim, String file, String content) {
        try {
            Path path = claim(id, claim).resolve(file);
            Files.createDirectories(path.getParent());
            Files.writeString(path, content);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String read(String id, String claim, String file) throws IOException {
        return Files.readString(claim(id, claim).resolve(file));
    }

    private Set<String> entries(BackupManifest manifest) {
        Set<String> names = new TreeSet<>();
        try (InputStream in = store.open(manifest.backupId()); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                names.add(e.getName().replaceFirst("^\\./", ""));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return names;
    }

    private static byte[] tar(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(f.getKey());
                entry.setSize(content.length);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private List<V1Pod> archiverPods(String id) {
        return cluster.kube.list(V1Pod.class, provider.objects().namespace(id),
                Labels.instanceSelector(id) + "," + Labels.COMPONENT + "=" + InstanceObjects.ARCHIVER);
    }

    private Set<String> appPodUids(String id) {
        return cluster.kube.list(V1Pod.class, provider.objects().namespace(id),
                        Labels.instanceSelector(id) + "," + Labels.COMPONENT + "!=" + InstanceObjects.ARCHIVER).stream()
                .map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
    }
}
