package dev.berth.k3s.it;

import dev.berth.core.Berth;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.lifecycle.Reconciler;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.plan.BackupPolicy;
import dev.berth.core.plan.Plan;
import dev.berth.core.tenant.Tenant;
import dev.berth.k3s.K3sProvider;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeState;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import io.kubernetes.client.util.generic.options.PatchOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Berth engine (H2) running Ghost on the K3s provider against the real test API server: someone edits the
 * instance by hand with another field manager (kubectl-style), and {@link Reconciler} reports the drift and puts
 * Berth's desired state back (server-side apply with force takes the fields back).
 */
class ReconcilerDriftIT {

    private static final Plan PLAN = new Plan("k3s-small", "K3s small", new ResourceLimits(250, 1000, 256 * ResourceLimits.MIB,
            512 * ResourceLimits.MIB, 2 * ResourceLimits.GIB), BackupPolicy.NONE, null, null, null, Map.of());

    private final TestCluster cluster = TestCluster.get();
    // its own provider: closing the engine closes its providers, and the shared one serves the other tests of the JVM
    private final K3sProvider provider = new K3sProvider(cluster.settings, dev.berth.k3s.K3sProviderFactory.client(cluster.settings));
    private Berth berth;
    private String instanceId;

    @BeforeEach
    void startBerth() {
        berth = cluster.startBerth("k3s-it", provider, PLAN, b -> b);
    }

    @AfterEach
    void stop() {
        if (instanceId != null) {
            provider.terminate(instanceId);
        }
        berth.close();
    }

    @Test
    void manualEditsOfLimitsAndReplicasAreReportedAndRepaired() throws Exception {
        Tenant tenant = berth.tenants().create("cus-" + UUID.randomUUID(), "k3s-it@example.com", "K3s IT");
        Instance instance = berth.instances().provision(new ProvisionCommand(tenant.id(), "ghost", PLAN.id(),
                UUID.randomUUID().toString(), null));
        instanceId = instance.id();
        await("instance active").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> berth.instances().get(instanceId).state() == InstanceState.ACTIVE);
        assertThat(provider.status(instanceId).appliedLimits()).isEqualTo(PLAN.resources());
        assertThat(berth.reconciler().reconcile()).as("no drift right after provisioning")
                .noneMatch(d -> d.instanceId().equals(instanceId));

        // an operator raises the app's CPU limit with kubectl (a JSON patch by another field manager)
        patchByHand("app", "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/resources/limits/cpu\",\"value\":\"3\"}]");
        assertThat(provider.status(instanceId).appliedLimits().cpuLimitMillis()).isEqualTo(3000 + 500);

        List<Reconciler.Drift> drifts = berth.reconciler().reconcile();

        assertThat(drifts).anySatisfy(d -> {
            assertThat(d.instanceId()).isEqualTo(instanceId);
            assertThat(d.kind()).isEqualTo(Reconciler.Drift.Kind.LIMITS);
            assertThat(d.detail()).contains("cpuLimitMillis=3500");
            assertThat(d.repaired()).isTrue();
        });
        awaitRepairs(drifts);
        assertThat(provider.status(instanceId).appliedLimits()).isEqualTo(PLAN.resources());

        // and scales the database to zero behind Berth's back
        patchByHand("db", "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":0}]");
        await().atMost(Duration.ofSeconds(30)).until(() -> provider.status(instanceId).state() == RuntimeState.DEGRADED);
        patchByHand("app", "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":0}]");
        assertThat(provider.status(instanceId).state()).isEqualTo(RuntimeState.STOPPED);

        drifts = berth.reconciler().reconcile();

        assertThat(drifts).anySatisfy(d -> {
            assertThat(d.instanceId()).isEqualTo(instanceId);
            assertThat(d.kind()).isEqualTo(Reconciler.Drift.Kind.STATE);
            assertThat(d.repaired()).isTrue();
        });
        awaitRepairs(drifts);
        assertThat(provider.status(instanceId).state()).isEqualTo(RuntimeState.RUNNING);
    }

    /** Repairs are REPAIR operations of the instance, run by the workers: waits until those of the instance succeeded. */
    private void awaitRepairs(List<Reconciler.Drift> drifts) {
        drifts.stream().filter(d -> instanceId.equals(d.instanceId()) && d.repaired()).map(Reconciler.Drift::repairOperation)
                .distinct().forEach(op -> {
                    await("repair " + op).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                            .until(() -> berth.operations().get(op).status() != OperationStatus.IN_PROGRESS);
                    assertThat(berth.operations().get(op).status()).isEqualTo(OperationStatus.SUCCEEDED);
                });
    }

    private void patchByHand(String deployment, String jsonPatch) throws Exception {
        var api = new GenericKubernetesApi<>(V1Deployment.class, V1DeploymentList.class, "apps", "v1", "deployments",
                cluster.kube.client());
        api.patch(provider.objects().namespace(instanceId), deployment, V1Patch.PATCH_FORMAT_JSON_PATCH, new V1Patch(jsonPatch),
                new PatchOptions().fieldManager("kubectl-edit")).throwsApiException();
    }
}
