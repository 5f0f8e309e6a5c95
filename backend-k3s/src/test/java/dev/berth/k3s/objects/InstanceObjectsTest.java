package dev.berth.k3s.objects;

import dev.berth.k3s.K3sSettings;
import dev.berth.k3s.kube.KubeApi;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.InvalidSpecException;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The object set rendered for each built-in app on two plans: compared with reviewed golden YAML files (exactly the
 * bodies sent by server-side apply) and checked for the invariants that matter (labels, quota = plan, limits
 * summing to the plan, isolation). Regenerate the golden files with {@code -Dberth.golden.update=true} and review
 * the diff.
 */
class InstanceObjectsTest {

    private static final K3sSettings SETTINGS = K3sSettings.from(Map.of("kubeconfig", "/dev/null",
            "clusterIssuer", "letsencrypt-prod"));
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    private final InstanceObjects objects = new InstanceObjects(SETTINGS);

    static Stream<Arguments> appsAndPlans() {
        return Stream.of("n8n", "ghost", "wordpress", "odoo").flatMap(app -> Stream.of(
                Arguments.of(app, "small", Fixtures.SMALL), Arguments.of(app, "large", Fixtures.LARGE)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("appsAndPlans")
    void renderedObjectsMatchTheReviewedGoldenFile(String app, String planName, ResourceLimits plan) throws IOException {
        // the object set as applied, then the archiver Job of a backup taken while the app runs on a node
        InstanceSpec spec = spec(app, plan);
        List<KubernetesObject> applied = new java.util.ArrayList<>(objects.render(spec, secrets(app, plan), false));
        applied.add(objects.archiverJob(spec, "berth-archiver-backup", InstanceObjects.claimNames(spec), true, "worker-1"));
        String yaml = yaml(applied);
        Path file = GOLDEN.resolve(app + "-" + planName + ".yaml");
        if (Boolean.getBoolean("berth.golden.update")) {
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
        }
        assertThat(file).as("golden file (regenerate with -Dberth.golden.update=true)").exists();
        assertThat(yaml).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("appsAndPlans")
    void everyObjectCarriesTheInstanceLabelsAndLivesInTheInstanceNamespace(String app, String planName, ResourceLimits plan) {
        List<KubernetesObject> set = objects.render(spec(app, plan), secrets(app, plan), false);
        String ns = "berth-inst-" + app;
        assertThat(set).allSatisfy(o -> {
            assertThat(o.getMetadata().getLabels()).containsEntry(Labels.MANAGED_BY, "berth")
                    .containsEntry(Labels.INSTANCE, "inst-" + app).containsEntry(Labels.TENANT, "tenant-7")
                    .containsEntry(Labels.APP, app).containsEntry("example.com/customer", "c-42");
            if (!(o instanceof V1Namespace)) {
                assertThat(o.getMetadata().getNamespace()).isEqualTo(ns);
            }
        });
        assertThat(set.get(0)).isInstanceOf(V1Namespace.class);
        assertThat(set.get(0).getMetadata().getName()).isEqualTo(ns);
        assertThat(set.get(0).getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "baseline")
                .containsEntry("pod-security.kubernetes.io/warn", "restricted");
        assertThat(kinds(set)).startsWith("Namespace", "ResourceQuota", "ResourceQuota", "ResourceQuota", "LimitRange", "NetworkPolicy")
                .contains("ServiceAccount", "Secret", "PersistentVolumeClaim", "Deployment", "Service", "Ingress");
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("appsAndPlans")
    void quotaEqualsThePlanAndComponentLimitsSumToIt(String app, String planName, ResourceLimits plan) {
        List<KubernetesObject> set = objects.render(spec(app, plan), secrets(app, plan), false);
        V1ResourceQuota storage = named(set, V1ResourceQuota.class, InstanceObjects.QUOTA);
        V1ResourceQuota compute = named(set, V1ResourceQuota.class, InstanceObjects.COMPUTE_QUOTA);
        assertThat(storage.getSpec().getScopes()).isNullOrEmpty();
        assertThat(compute.getSpec().getScopes()).containsExactly("NotTerminating");
        var hard = new java.util.HashMap<>(storage.getSpec().getHard());
        hard.putAll(compute.getSpec().getHard());
        assertThat(hard).hasSize(9);
        assertThat(Quantities.millis(hard.get("requests.cpu"))).isEqualTo(plan.cpuRequestMillis());
        assertThat(Quantities.millis(hard.get("limits.cpu"))).isEqualTo(plan.cpuLimitMillis());
        assertThat(Quantities.bytes(hard.get("requests.memory"))).isEqualTo(plan.memoryRequestBytes());
        assertThat(Quantities.bytes(hard.get("limits.memory"))).isEqualTo(plan.memoryLimitBytes());
        assertThat(Quantities.bytes(hard.get("requests.storage"))).isEqualTo(plan.diskBytes());
        assertThat(hard.get("services.loadbalancers").getNumber().intValue()).isZero();
        assertThat(hard.get("services.nodeports").getNumber().intValue()).isZero();

        List<V1Container> containers = all(set, V1Deployment.class).stream()
                .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream()).toList();
        assertThat(containers.stream().mapToLong(c -> Quantities.millis(c.getResources().getRequests().get("cpu"))).sum())
                .isEqualTo(plan.cpuRequestMillis());
        assertThat(containers.stream().mapToLong(c -> Quantities.millis(c.getResources().getLimits().get("cpu"))).sum())
                .isEqualTo(plan.cpuLimitMillis());
        assertThat(containers.stream().mapToLong(c -> Quantities.bytes(c.getResources().getRequests().get("memory"))).sum())
                .isEqualTo(plan.memoryRequestBytes());
        assertThat(containers.stream().mapToLong(c -> Quantities.bytes(c.getResources().getLimits().get("memory"))).sum())
                .isEqualTo(plan.memoryLimitBytes());
        assertThat(all(set, V1PersistentVolumeClaim.class).stream()
                .mapToLong(c -> Quantities.bytes(c.getSpec().getResources().getRequests().get("storage"))).sum())
                .isEqualTo(plan.diskBytes());
        V1LimitRange range = only(set, V1LimitRange.class);
        assertThat(Quantities.millis(range.getSpec().getLimits().get(0).getMax().get("cpu"))).isEqualTo(plan.cpuLimitMillis());
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("appsAndPlans")
    void theArchiverFitsItsOwnQuotaAndTheLimitRangeAndMountsEveryClaim(String app, String planName, ResourceLimits plan) {
        InstanceSpec spec = spec(app, plan);
        List<KubernetesObject> set = objects.render(spec, secrets(app, plan), false);
        List<String> claims = all(set, V1PersistentVolumeClaim.class).stream().map(c -> c.getMetadata().getName()).toList();
        V1Job job = objects.archiverJob(spec, "berth-archiver-backup", InstanceObjects.claimNames(spec), true, "worker-1");
        V1PodSpec pod = job.getSpec().getTemplate().getSpec();
        V1Container archiver = pod.getContainers().get(0);

        assertThat(InstanceObjects.claimNames(spec)).containsExactlyElementsOf(claims);
        assertThat(pod.getVolumes()).filteredOn(v -> v.getPersistentVolumeClaim() != null)
                .extracting(v -> v.getPersistentVolumeClaim().getClaimName()).containsExactlyElementsOf(claims);
        assertThat(archiver.getVolumeMounts()).filteredOn(m -> m.getMountPath().startsWith(InstanceObjects.ARCHIVER_VOLUMES + "/"))
                .allSatisfy(m -> assertThat(m.getReadOnly()).isTrue()).hasSize(claims.size());
        assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/hostname", "worker-1");
        // a deadline makes it a Terminating pod: the plan's NotTerminating quota does not count it, its own does
        assertThat(pod.getActiveDeadlineSeconds()).isEqualTo(SETTINGS.archiverTimeout().toSeconds());
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        V1ResourceQuota own = named(set, V1ResourceQuota.class, InstanceObjects.ARCHIVER_QUOTA);
        assertThat(own.getSpec().getScopes()).containsExactly("Terminating");
        var hard = own.getSpec().getHard();
        assertThat(hard.get("pods").getNumber().intValue()).isOne();
        assertThat(Quantities.millis(archiver.getResources().getLimits().get("cpu"))).isEqualTo(Quantities.millis(hard.get("limits.cpu")))
                .isLessThanOrEqualTo(plan.cpuLimitMillis());
        assertThat(Quantities.bytes(archiver.getResources().getLimits().get("memory"))).isEqualTo(Quantities.bytes(hard.get("limits.memory")))
                .isLessThanOrEqualTo(plan.memoryLimitBytes());
        assertThat(Quantities.bytes(archiver.getResources().getRequests().get("memory")))
                .isLessThanOrEqualTo(Quantities.bytes(archiver.getResources().getLimits().get("memory")));
        assertThat(archiver.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(archiver.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(job.getMetadata().getLabels()).containsEntry(Labels.INSTANCE, spec.instanceId())
                .containsEntry(Labels.COMPONENT, InstanceObjects.ARCHIVER);
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(Labels.INSTANCE, spec.instanceId());

        V1Job restore = objects.archiverJob(spec, "berth-archiver-restore", InstanceObjects.claimNames(spec), false, null);
        assertThat(restore.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts())
                .allSatisfy(m -> assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE));
    }

    @Test
    void isolationDefaultsAreInPlace() {
        List<KubernetesObject> set = objects.render(spec("wordpress", Fixtures.SMALL), secrets("wordpress", Fixtures.SMALL), false);
        List<V1NetworkPolicy> policies = all(set, V1NetworkPolicy.class);
        V1NetworkPolicy deny = policies.stream().filter(p -> p.getMetadata().getName().equals("default-deny")).findFirst().orElseThrow();
        assertThat(deny.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(deny.getSpec().getIngress()).isNullOrEmpty();
        assertThat(deny.getSpec().getEgress()).isNullOrEmpty();
        assertThat(policies).extracting(p -> p.getMetadata().getName())
                .contains("allow-dns", "allow-same-instance", "allow-from-ingress");
        assertThat(only(set, V1ServiceAccount.class).getAutomountServiceAccountToken()).isFalse();
        for (V1Deployment d : all(set, V1Deployment.class)) {
            assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
            assertThat(d.getSpec().getReplicas()).isEqualTo(1);
            assertThat(d.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
            assertThat(d.getSpec().getTemplate().getSpec().getNodeSelector()).containsEntry("berth.dev/node-class", "large")
                    .doesNotContainKey("region");
            assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe()).isNotNull();
        }
        V1Ingress ingress = only(set, V1Ingress.class);
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("traefik");
        assertThat(ingress.getSpec().getTls().get(0).getHosts()).containsExactly("wordpress-demo.apps.example.com");
        assertThat(ingress.getMetadata().getAnnotations()).containsEntry("cert-manager.io/cluster-issuer", "letsencrypt-prod");
    }

    @Test
    void nonRootImagesRunAsTheirUserAndOthersKeepTheImageUser() {
        V1Deployment n8n = all(objects.render(spec("n8n", Fixtures.SMALL), secrets("n8n", Fixtures.SMALL), false),
                V1Deployment.class).get(0);
        assertThat(n8n.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(n8n.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        assertThat(n8n.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext().getCapabilities().getDrop())
                .containsExactly("ALL");
        V1Deployment wordpress = all(objects.render(spec("wordpress", Fixtures.SMALL), secrets("wordpress", Fixtures.SMALL), false),
                V1Deployment.class).get(0);
        assertThat(wordpress.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isNull();
        assertThat(wordpress.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext()
                .getAllowPrivilegeEscalation()).isFalse();
    }

    @Test
    void secretsAreReferencedByKeyAndNeverInTheSpecAnnotation() {
        InstanceSpec spec = spec("ghost", Fixtures.SMALL);
        List<KubernetesObject> set = objects.render(spec, secrets("ghost", Fixtures.SMALL), false);
        String namespaceYaml = yaml(List.of(set.get(0)));
        assertThat(namespaceYaml).doesNotContain("fake-");
        assertThat(spec.toString()).doesNotContain("fake-");
        assertThat(all(set, V1Secret.class)).isNotEmpty().allSatisfy(s -> assertThat(s.getData()).isNotEmpty());
        V1Container app = all(set, V1Deployment.class).get(0).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(app.getEnv()).anySatisfy(e -> {
            assertThat(e.getValue()).isNull();
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("app-secrets");
        });
        // without secret values (plan change, rollback) no Secret is rendered, so none is overwritten
        assertThat(all(objects.render(spec, null, false), V1Secret.class)).isEmpty();
    }

    @Test
    void suspendedRendersZeroReplicasAndRecordsIt() {
        List<KubernetesObject> set = objects.render(spec("n8n", Fixtures.SMALL), null, true);
        assertThat(all(set, V1Deployment.class)).allSatisfy(d -> assertThat(d.getSpec().getReplicas()).isZero());
        assertThat(set.get(0).getMetadata().getAnnotations()).containsEntry(Labels.SUSPENDED, "true");
    }

    @Test
    void specRoundTripsThroughTheNamespaceAnnotation() {
        InstanceSpec spec = spec("wordpress", Fixtures.LARGE);
        assertThat(InstanceSpec.fromJson(spec.toJson())).isEqualTo(spec);
    }

    @Test
    void namesKubernetesCannotTakeAreRejectedNamingTheField() {
        ProvisionRequest ok = Fixtures.request("n8n", Fixtures.SMALL);
        ProvisionRequest badSlug = new ProvisionRequest(ok.instanceId(), ok.tenantId(), "Not_A_Label", ok.hostname(), ok.appId(),
                ok.appVersion(), ok.components(), ok.resources(), ok.node(), ok.labels());
        assertThatThrownBy(() -> InstanceSpec.of(badSlug)).isInstanceOf(InvalidSpecException.class)
                .extracting(e -> ((InvalidSpecException) e).field()).isEqualTo("slug");
        ComponentSpec c = ok.components().get(0);
        ProvisionRequest badComponent = new ProvisionRequest(ok.instanceId(), ok.tenantId(), ok.slug(), ok.hostname(), ok.appId(),
                ok.appVersion(), List.of(new ComponentSpec("App", c.image(), null, c.ports(), c.volumes(), c.env(), c.secretEnv(),
                c.readiness(), true)), ok.resources(), ok.node(), ok.labels());
        assertThatThrownBy(() -> InstanceSpec.of(badComponent)).isInstanceOf(InvalidSpecException.class)
                .extracting(e -> ((InvalidSpecException) e).field()).isEqualTo("components[App].name");
        ProvisionRequest badEnv = new ProvisionRequest(ok.instanceId(), ok.tenantId(), ok.slug(), ok.hostname(), ok.appId(),
                ok.appVersion(), List.of(new ComponentSpec("app", c.image(), null, c.ports(), c.volumes(), Map.of("1 BAD", "x"),
                c.secretEnv(), c.readiness(), true)), ok.resources(), ok.node(), ok.labels());
        assertThatThrownBy(() -> InstanceSpec.of(badEnv)).isInstanceOf(InvalidSpecException.class)
                .extracting(e -> ((InvalidSpecException) e).field()).isEqualTo("components[app].env.1 BAD");
        assertThatThrownBy(() -> objects.namespace("x".repeat(70))).isInstanceOf(InvalidSpecException.class)
                .extracting(e -> ((InvalidSpecException) e).field()).isEqualTo("instanceId");
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static InstanceSpec spec(String app, ResourceLimits plan) {
        return InstanceSpec.of(Fixtures.request(app, plan));
    }

    private static Map<String, Map<String, SecretValue>> secrets(String app, ResourceLimits plan) {
        Map<String, Map<String, SecretValue>> out = new java.util.LinkedHashMap<>();
        Fixtures.request(app, plan).components().forEach(c -> out.put(c.name(), c.secretEnv()));
        return out;
    }

    static String yaml(List<? extends KubernetesObject> set) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setWidth(200);
        Yaml yaml = new Yaml(options);
        StringBuilder out = new StringBuilder();
        for (KubernetesObject o : set) {
            out.append("---\n").append(yaml.dump(yaml.load(KubeApi.applyBody(o))));
        }
        return out.toString();
    }

    private static List<String> kinds(List<KubernetesObject> set) {
        return set.stream().map(KubernetesObject::getKind).toList();
    }

    private static <T extends KubernetesObject> T named(List<KubernetesObject> set, Class<T> type, String name) {
        List<T> found = all(set, type).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
        assertThat(found).as(type.getSimpleName() + " " + name).hasSize(1);
        return found.get(0);
    }

    private static <T> T only(List<KubernetesObject> set, Class<T> type) {
        List<T> found = all(set, type);
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static <T> List<T> all(List<KubernetesObject> set, Class<T> type) {
        return set.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
