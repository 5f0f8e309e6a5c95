package dev.berth.docker;

import dev.berth.spi.ComponentSpec;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.SecretValue;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.error.BerthException;
import dev.berth.testkit.memory.InMemoryBackupStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Apps that run as a non-root user and expect their image's data directory (owner and seed files) on a fresh
 * volume, as the official n8n image does ({@link NonRootTestImage}).
 */
class DockerNonRootAppIT {

    static final ResourceLimits PLAN = new ResourceLimits(250, 1000, 64 * ResourceLimits.MIB, 128 * ResourceLimits.MIB, ResourceLimits.GIB);

    private static DockerProvider provider;
    private final List<String> created = new ArrayList<>();

    @BeforeAll
    static void connect() {
        NonRootTestImage.ensure();
        provider = DockerTestEnv.localProvider();
    }

    @AfterAll
    static void close() {
        if (provider != null) provider.close();
    }

    @AfterEach
    void terminateAll() {
        created.forEach(provider::terminate);
        for (String id : created) {
            assertThat(DockerTestEnv.leftovers(provider, id)).as("leftovers of %s", id).isEmpty();
        }
    }

    @Test
    void aFreshVolumeGetsTheImagesOwnerAndSeedFilesSoANonRootAppCanWriteIt() {
        String id = newId();

        provider.provision(request(id, NonRootTestImage.component(Map.of(), Map.of(), Duration.ofSeconds(20))));

        assertThat(exec(id, "stat", "-c", "%u:%g", NonRootTestImage.DATA)).as("owner of the volume's root")
                .isEqualTo(NonRootTestImage.UID + ":" + NonRootTestImage.UID + "\n");
        assertThat(exec(id, "cat", NonRootTestImage.SEED)).as("the image's seed file").isEqualTo(NonRootTestImage.SEED_CONTENT);
        assertThat(exec(id, "cat", NonRootTestImage.STARTED)).isEqualTo("started by " + NonRootTestImage.UID + "\n");
    }

    @Test
    void aRestoreOfANonRootAppBringsBackItsFilesAndStartsIt() {
        String id = newId();
        provider.provision(request(id, NonRootTestImage.component(Map.of(), Map.of(), Duration.ofSeconds(20))));
        exec(id, "sh", "-c", "echo mine > /data/own-file");
        InMemoryBackupStore store = new InMemoryBackupStore();
        BackupManifest manifest = provider.backups().orElseThrow().backup(id, "b-" + id, store);
        exec(id, "sh", "-c", "rm /data/own-file /data/seed.txt");

        provider.backups().orElseThrow().restore(id, manifest, store);

        assertThat(provider.status(id).state()).isEqualTo(RuntimeState.RUNNING);
        assertThat(exec(id, "cat", "/data/own-file")).isEqualTo("mine\n");
        assertThat(exec(id, "cat", NonRootTestImage.SEED)).isEqualTo(NonRootTestImage.SEED_CONTENT);
        // the fresh volume's root is the mount point Docker made as root: the archived owner and mode must be
        // brought back onto it, or the app (uid 1000, as n8n's node user) cannot create anything new there
        assertThat(exec(id, "stat", "-c", "%u:%g %a", NonRootTestImage.DATA)).as("owner and mode of the restored volume's root")
                .isEqualTo(NonRootTestImage.UID + ":" + NonRootTestImage.UID + " 755\n");
        exec(id, "sh", "-c", "echo new > /data/created-after-restore");
        assertThat(exec(id, "stat", "-c", "%u", "/data/created-after-restore")).isEqualTo(NonRootTestImage.UID + "\n");
    }

    @Test
    void aComponentThatExitsAtOnceFailsTheProvisionFastWithItsLastLogLineAndNoSecret() {
        String id = newId();
        String secret = "s3cr3t-" + id;
        ComponentSpec crashing = NonRootTestImage.component(Map.of("CRASH_MESSAGE", "fatal: config file /etc/app.conf is broken"),
                Map.of("APP_SECRET", SecretValue.of(secret)), Duration.ofMinutes(2));
        long start = System.nanoTime();

        Throwable thrown = catchThrowable(() -> provider.provision(request(id, crashing)));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("failed long before the readiness timeout")
                .isLessThan(Duration.ofSeconds(30));
        assertThat(thrown).isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining("component app of instance " + id)
                .hasMessageContaining("fatal: config file /etc/app.conf is broken")
                .hasMessageContaining("booting with key ****")
                .hasMessageNotContaining(secret);
        assertThat(thrown.getMessage()).containsAnyOf("exited with code 3", "keeps restarting");
    }

    static ProvisionRequest request(String id, ComponentSpec component) {
        return new ProvisionRequest(id, "tenant-" + id, id, null, "nonroot-app", "1.0.0", List.of(component), PLAN,
                DockerTestEnv.LOCAL_NODE, Map.of());
    }

    private String exec(String id, String... cmd) {
        DockerTestEnv.ExecResult r = DockerTestEnv.exec(provider, id, "app", cmd);
        assertThat(r.code()).as("exit code of %s (output: %s)", List.of(cmd), r.output()).isZero();
        return r.output();
    }

    private String newId() {
        byte[] b = new byte[4];
        ThreadLocalRandom.current().nextBytes(b);
        String id = "nonroot-" + HexFormat.of().formatHex(b);
        created.add(id);
        return id;
    }
}
