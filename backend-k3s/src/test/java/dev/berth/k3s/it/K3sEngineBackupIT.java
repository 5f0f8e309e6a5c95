package dev.berth.k3s.it;

import dev.berth.core.Berth;
import dev.berth.core.catalog.Catalog;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.plan.BackupPolicy;
import dev.berth.core.plan.Plan;
import dev.berth.core.tenant.Tenant;
import dev.berth.k3s.K3sProvider;
import dev.berth.k3s.K3sProviderFactory;
import dev.berth.k3s.objects.InstanceObjects;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.testkit.image.TestAppImage;
import dev.berth.testkit.memory.InMemoryBackupStore;
import io.kubernetes.client.openapi.models.V1Namespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine's backup duties on the K3s provider, against the real test API server with the archiver run by the
 * {@link FakeKubelet}: an upgrade is preceded by a backup of the old version's data, a restore through the engine
 * brings that data back, and terminating an instance whose plan takes backups leaves a final backup behind.
 */
class K3sEngineBackupIT {

    private static final Plan PLAN = new Plan("k3s-backed-up", "K3s with backups", new ResourceLimits(250, 1000,
            128 * ResourceLimits.MIB, 256 * ResourceLimits.MIB, 2 * ResourceLimits.GIB),
            BackupPolicy.every(Duration.ofHours(24), Duration.ofDays(7)), null, null, null, Map.of());

    private final TestCluster cluster = TestCluster.get();
    // its own provider: closing the engine closes its providers, and the shared one serves the other tests of the JVM
    private final K3sProvider provider = new K3sProvider(cluster.settings, K3sProviderFactory.client(cluster.settings));
    private final InMemoryBackupStore store = new InMemoryBackupStore();
    private Berth berth;
    private String instanceId;

    @BeforeEach
    void startBerth() {
        berth = cluster.startBerth("k3s-backup-it", provider, PLAN, b -> b.catalog(Catalog.of(List.of(TestAppImage.template()))).backupStore(store));
    }

    @AfterEach
    void stop() {
        if (instanceId != null && cluster.kube.get(V1Namespace.class, null, provider.objects().namespace(instanceId)).isPresent()) {
            provider.terminate(instanceId);
        }
        berth.close();
    }

    @Test
    void upgradeBacksUpFirstRestoreBringsTheDataBackAndTerminationLeavesAFinalBackup() throws IOException {
        Tenant tenant = berth.tenants().create("cus-" + UUID.randomUUID(), "k3s-backup-it@example.com", "K3s backup IT");
        Instance instance = berth.instances().provision(new ProvisionCommand(tenant.id(), TestAppImage.APP_ID, PLAN.id(),
                UUID.randomUUID().toString(), null));
        instanceId = instance.id();
        awaitState(InstanceState.ACTIVE);
        Path marker = dataDir().resolve("marker");
        Files.writeString(marker, "written by " + TestAppImage.V1);

        awaitSucceeded(berth.instances().upgrade(instanceId, TestAppImage.V2));

        assertThat(berth.instances().get(instanceId).appVersion()).isEqualTo(TestAppImage.V2);
        List<BackupManifest> beforeUpgrade = berth.instances().backups(instanceId);
        assertThat(beforeUpgrade).as("backups after the upgrade").hasSize(1)
                .allSatisfy(b -> assertThat(b.appVersion()).isEqualTo(TestAppImage.V1));

        Files.writeString(marker, "written by " + TestAppImage.V2);
        awaitSucceeded(berth.instances().restore(instanceId, beforeUpgrade.get(0).backupId()));
        assertThat(Files.readString(marker)).isEqualTo("written by " + TestAppImage.V1);

        awaitSucceeded(berth.instances().terminate(instanceId));

        assertThat(berth.instances().get(instanceId).state()).isEqualTo(InstanceState.TERMINATED);
        assertThat(cluster.kube.get(V1Namespace.class, null, provider.objects().namespace(instanceId))).as("namespace").isEmpty();
        assertThat(berth.instances().backups(instanceId)).as("backups after termination").hasSize(2)
                .anySatisfy(b -> assertThat(b.backupId()).isNotEqualTo(beforeUpgrade.get(0).backupId()));
    }

    private Path dataDir() {
        return cluster.kubelet.claimDir(provider.objects().namespace(instanceId), InstanceObjects.claimName("app", "data"));
    }

    private void awaitState(InstanceState state) {
        await(instanceId + " " + state).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> berth.instances().get(instanceId).state() == state);
    }

    private void awaitSucceeded(Operation operation) {
        await(operation.type() + " of " + instanceId).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> berth.operations().get(operation.id()).status() != OperationStatus.IN_PROGRESS);
        Operation done = berth.operations().get(operation.id());
        assertThat(done.status()).as(done.type() + " (" + done.lastError() + ")").isEqualTo(OperationStatus.SUCCEEDED);
    }
}
