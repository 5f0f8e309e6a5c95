package dev.berth.k3s.it;

import dev.berth.k3s.K3sProvider;
import dev.berth.k3s.K3sProviderFactory;
import dev.berth.k3s.K3sSettings;
import dev.berth.k3s.objects.Labels;
import dev.berth.spi.NodeRef;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.testkit.memory.InMemoryBackupStore;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1HostPathVolumeSource;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeList;
import io.kubernetes.client.openapi.models.V1PersistentVolumeSpec;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * MANUAL experiment, not part of CI (not named *IT): with {@code scripts/kubelet-stretch.sh start} running a real
 * kubelet on containerd as node {@code berth-kubelet-node}, the TCK app's two pods are pinned there, start from
 * the locally imported images, pass their real HTTP and TCP probes, stop on suspend and start again on resume.
 * Then a backup and a restore run through the real kubelet's exec into the archiver pod and move a file on the
 * hostPath volume. The {@link FakeKubelet} only plays the scheduler here (it binds pods to the node their selector
 * names and leaves pods of other nodes alone). PVs are pre-bound hostPath volumes, as no provisioner runs.
 */
class KubeletStretchCheck {

    private static final String NODE = "berth-kubelet-node";

    @Test
    void tenantPodsRunAndBecomeReadyOnARealKubelet() throws Exception {
        TestCluster cluster = TestCluster.get();
        K3sSettings settings = K3sSettings.from(Map.of("kubeconfig", System.getenv("BERTH_TEST_KUBECONFIG"), "pinToNode", "true",
                "rolloutTimeout", "PT3M", "archiverImage", "docker.io/berth-k3s-stretch/archiver:1", "archiverTimeout", "PT3M"));
        K3sProvider provider = new K3sProvider(settings, K3sProviderFactory.client(settings));
        String id = "stretch-" + System.currentTimeMillis() % 100000;
        String ns = provider.objects().namespace(id);
        var volumes = new GenericKubernetesApi<>(V1PersistentVolume.class, V1PersistentVolumeList.class, "", "v1",
                "persistentvolumes", cluster.kube.client());
        for (String claim : List.of("app-data", "db-data")) {
            volumes.create(new V1PersistentVolume().apiVersion("v1").kind("PersistentVolume")
                    .metadata(new V1ObjectMeta().name(id + "-" + claim))
                    .spec(new V1PersistentVolumeSpec().capacity(Map.of("storage", new Quantity("1Gi")))
                            .accessModes(List.of("ReadWriteOnce")).storageClassName("local-path")
                            .hostPath(new V1HostPathVolumeSource().path("/var/tmp/berth-k3s-stretch/pv/" + id + "/" + claim)
                                    .type("DirectoryOrCreate"))
                            .claimRef(new V1ObjectReference().namespace(ns).name(claim)))).throwsApiException();
        }
        try {
            provider.provision(new ProvisionRequest(id, "tenant-stretch", id, id + ".invalid", "tck-app", "1.0.0",
                    TestCluster.components("1.0.0"), new ResourceLimits(250, 1000, 64 * ResourceLimits.MIB, 128 * ResourceLimits.MIB,
                    2 * ResourceLimits.GIB), new NodeRef("kubelet-node", NODE, Map.of()), Map.of()));
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> provider.status(id).state() == RuntimeState.RUNNING);
            assertThat(pods(cluster, ns, id)).hasSize(2).allSatisfy(p -> {
                assertThat(p.getSpec().getNodeName()).isEqualTo(NODE);
                assertThat(p.getStatus().getPodIP()).startsWith("10.42.7.");
                assertThat(p.getStatus().getContainerStatuses()).allSatisfy(c -> assertThat(c.getState().getRunning()).isNotNull());
            });

            provider.suspend(id);
            await().atMost(Duration.ofMinutes(2)).until(() -> pods(cluster, ns, id).isEmpty());
            provider.resume(id);
            assertThat(provider.status(id).state()).isEqualTo(RuntimeState.RUNNING);

            // backup and restore through a real kubelet's exec (containerd's streaming server), bytes on a real disk
            Path marker = Path.of("/var/tmp/berth-k3s-stretch/pv", id, "app-data", "marker");
            Files.writeString(marker, "before the backup");
            InMemoryBackupStore store = new InMemoryBackupStore();
            BackupManifest manifest = provider.backups().orElseThrow().backup(id, "stretch-backup", store);
            assertThat(manifest.sizeBytes()).isPositive();
            Files.writeString(marker, "after the backup");
            provider.backups().orElseThrow().restore(id, manifest, store);
            assertThat(Files.readString(marker)).isEqualTo("before the backup");
            assertThat(provider.status(id).state()).isEqualTo(RuntimeState.RUNNING);
        } finally {
            provider.terminate(id);
            for (String claim : List.of("app-data", "db-data")) {
                volumes.delete(id + "-" + claim);
            }
        }
    }

    private static List<V1Pod> pods(TestCluster cluster, String ns, String id) {
        return cluster.kube.list(V1Pod.class, ns, Labels.instanceSelector(id));
    }
}
