package dev.berth.k3s.it;

import dev.berth.k3s.K3sProvider;
import dev.berth.k3s.K3sProviderFactory;
import dev.berth.k3s.K3sSettings;
import dev.berth.k3s.objects.InstanceObjects;
import dev.berth.k3s.objects.Labels;
import dev.berth.k3s.objects.Quantities;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.UnavailableException;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What the K3s backend promises beyond the TCK, checked on the real test API server (with its controllers) and the
 * {@link FakeKubelet} for pod readiness: the object set and its labels, quota and limits equal to the plan, a
 * repeated server-side apply that changes nothing, PVCs kept by suspend/resume, nothing labelled left after
 * terminate, rollback of a failed upgrade, node usage, and API errors mapped to Berth's typed errors.
 */
class K3sBackendIT {

    private static final ResourceLimits PLAN = new ResourceLimits(300, 1200, 128 * ResourceLimits.MIB, 256 * ResourceLimits.MIB,
            4 * ResourceLimits.GIB);
    private static final ResourceLimits BIGGER = new ResourceLimits(600, 2000, 256 * ResourceLimits.MIB, 512 * ResourceLimits.MIB,
            8 * ResourceLimits.GIB);

    private final TestCluster cluster = TestCluster.get();
    private final K3sProvider provider = cluster.provider;
    private final List<String> created = new ArrayList<>();

    @AfterEach
    void terminateAll() {
        created.forEach(provider::terminate);
    }

    @Test
    void provisionCreatesTheLabelledObjectSetWithThePlanAsQuotaAndLimits() {
        String id = newId();
        provider.provision(request(id, PLAN, "1.0.0"));
        String ns = provider.objects().namespace(id);

        Map<String, KubernetesObject> objects = cluster.objectsOf(id);
        assertThat(objects.keySet()).containsExactlyInAnyOrder("Namespace/" + ns, "ResourceQuota/berth-plan",
                "ResourceQuota/berth-plan-compute", "ResourceQuota/berth-archiver", "LimitRange/berth-plan",
                "NetworkPolicy/default-deny", "NetworkPolicy/allow-dns", "NetworkPolicy/allow-same-instance",
                "NetworkPolicy/allow-from-ingress", "NetworkPolicy/allow-internet-egress", "ServiceAccount/berth-instance",
                "Secret/app-secrets", "Secret/db-secrets", "PersistentVolumeClaim/app-data", "PersistentVolumeClaim/db-data",
                "Deployment/app", "Deployment/db", "Service/app", "Service/db", "Ingress/" + id);
        assertThat(objects.values()).allSatisfy(o -> assertThat(o.getMetadata().getLabels())
                .containsEntry(Labels.MANAGED_BY, "berth").containsEntry(Labels.INSTANCE, id)
                .containsEntry(Labels.TENANT, "tenant-it").containsEntry(Labels.APP, "tck-app"));
        V1Namespace namespace = (V1Namespace) objects.get("Namespace/" + ns);
        assertThat(namespace.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "baseline")
                .containsEntry("pod-security.kubernetes.io/audit", "restricted");
        assertThat(((V1ServiceAccount) objects.get("ServiceAccount/berth-instance")).getAutomountServiceAccountToken()).isFalse();
        V1Secret secret = (V1Secret) objects.get("Secret/db-secrets");
        assertThat(new String(secret.getData().get("DB_PASSWORD"), StandardCharsets.UTF_8)).isEqualTo("s3cret-db-value");

        // the quota the server holds, and the one its quota controller enforces, are exactly the plan
        assertPlan(planQuota(ns), PLAN);
        await("quota controller").atMost(Duration.ofSeconds(60)).until(() -> cluster.kube.get(V1ResourceQuota.class, ns, "berth-plan")
                .map(q -> q.getStatus() != null && q.getStatus().getHard() != null
                        && Quantities.bytes(q.getStatus().getHard().get("requests.storage")) == PLAN.diskBytes()).orElse(false));
        // the running pods use the plan's CPU request to the last milli: the compute quota is exactly full
        await("compute quota usage").atMost(Duration.ofSeconds(60)).until(() -> cluster.kube.get(V1ResourceQuota.class, ns,
                        InstanceObjects.COMPUTE_QUOTA).map(q -> q.getStatus() != null && q.getStatus().getUsed() != null
                        && Quantities.millis(q.getStatus().getUsed().get("requests.cpu")) == PLAN.cpuRequestMillis()).orElse(false));
        // the containers' requests and limits as stored add up to the plan
        List<V1Container> containers = objects.values().stream().filter(V1Deployment.class::isInstance)
                .flatMap(d -> ((V1Deployment) d).getSpec().getTemplate().getSpec().getContainers().stream()).toList();
        assertThat(containers.stream().mapToLong(c -> Quantities.millis(c.getResources().getRequests().get("cpu"))).sum())
                .isEqualTo(PLAN.cpuRequestMillis());
        assertThat(containers.stream().mapToLong(c -> Quantities.bytes(c.getResources().getLimits().get("memory"))).sum())
                .isEqualTo(PLAN.memoryLimitBytes());
        assertThat(awaitState(id, RuntimeState.RUNNING).appliedLimits()).isEqualTo(PLAN);
        assertThat(provider.status(id).endpoint()).matches("10\\.43\\.\\d+\\.\\d+:8080");
    }

    @Test
    void provisioningAgainChangesNothingOnTheServer() {
        String id = newId();
        provider.provision(request(id, PLAN, "1.0.0"));
        awaitState(id, RuntimeState.RUNNING);
        // controllers write status (quota usage, rollout) for a while: wait until the object set stands still
        Map<String, String> settled = awaitSettled(id);
        Map<String, String> contentBefore = contents(id);

        provider.provision(request(id, PLAN, "1.0.0"));
        provider.changePlan(id, PLAN);

        assertThat(contents(id)).as("every object's metadata and spec after re-provision and same-plan change")
                .isEqualTo(contentBefore);
        Map<String, String> after = resourceVersions(id);
        // v1.20 quirk: the first write after the quota admission (kube-apiserver) and the quota controller both
        // recorded status.used re-encodes their managedFields entries, which bumps a quota's resourceVersion once
        // (upstream kubernetes/kubernetes#95460 family); nothing of Berth's changes, and the next apply is a no-op
        assertThat(withoutQuotas(after)).as("resourceVersion of every non-quota object").isEqualTo(withoutQuotas(settled));

        provider.provision(request(id, PLAN, "1.0.0"));
        provider.changePlan(id, PLAN);

        assertThat(resourceVersions(id)).as("resourceVersion of every object after a second re-provision").isEqualTo(after);
    }

    @Test
    void suspendAndResumeKeepTheClaims() {
        String id = newId();
        provider.provision(request(id, PLAN, "1.0.0"));
        awaitState(id, RuntimeState.RUNNING);
        Map<String, String> claims = claimUids(id);
        assertThat(claims).hasSize(2);

        provider.suspend(id);
        assertThat(awaitState(id, RuntimeState.STOPPED).appliedLimits()).isEqualTo(PLAN);
        await("pods gone").atMost(Duration.ofSeconds(60)).until(() -> pods(id).isEmpty());
        assertThat(claimUids(id)).isEqualTo(claims);
        assertThat(cluster.kube.get(V1Namespace.class, null, provider.objects().namespace(id)).orElseThrow()
                .getMetadata().getAnnotations()).containsEntry(Labels.SUSPENDED, "true");

        provider.resume(id);
        assertThat(provider.status(id).state()).as("resume returns after the rollout").isEqualTo(RuntimeState.RUNNING);
        assertThat(claimUids(id)).isEqualTo(claims);
        assertThat(pods(id)).hasSize(2).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo(TestCluster.NODE_NAME));
    }

    @Test
    void changePlanAppliesNewQuotaAndLimitsAndKeepsTheClaims() {
        String id = newId();
        provider.provision(request(id, PLAN, "1.0.0"));
        awaitState(id, RuntimeState.RUNNING);
        Map<String, String> claims = claimUids(id);

        assertThat(provider.changePlan(id, BIGGER).appliedLimits()).isEqualTo(BIGGER);

        assertPlan(planQuota(provider.objects().namespace(id)), BIGGER);
        assertThat(awaitState(id, RuntimeState.RUNNING).appliedLimits()).isEqualTo(BIGGER);
        assertThat(claimUids(id)).isEqualTo(claims);
    }

    @Test
    void terminateLeavesNothingLabelledForTheInstance() {
        String id = newId();
        provider.provision(request(id, PLAN, "1.0.0"));
        awaitState(id, RuntimeState.RUNNING);
        assertThat(cluster.labelled(id)).hasSizeGreaterThan(15);

        provider.terminate(id);

        assertThat(cluster.labelled(id)).isEmpty();
        assertThat(cluster.kube.get(V1Namespace.class, null, provider.objects().namespace(id))).isEmpty();
    }

    @Test
    void anUpgradeThatDoesNotRollOutIsRolledBack() {
        cluster.kubelet.failImagesContaining("9.9.9-broken");
        String id = newId();
        provider.provision(request(id, PLAN, "1.0.0"));
        awaitState(id, RuntimeState.RUNNING);

        assertThatThrownBy(() -> provider.upgrade(request(id, PLAN, "9.9.9-broken")))
                .isInstanceOf(BerthException.class).hasMessageContaining("rolled back to 1.0.0");

        var status = awaitState(id, RuntimeState.RUNNING);
        assertThat(status.appVersion()).isEqualTo("1.0.0");
        V1Deployment app = cluster.kube.get(V1Deployment.class, provider.objects().namespace(id), "app").orElseThrow();
        assertThat(app.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("berth-testkit-app:1.0.0");
    }

    @Test
    void nodeUsageCountsTheRequestsOfBoundPods() {
        long before = node(provider.nodes()).usedCpuMillis();
        String id = newId();
        provider.provision(request(id, PLAN, "1.0.0"));
        awaitState(id, RuntimeState.RUNNING);

        NodeCapacity after = node(provider.nodes());

        assertThat(after.cpuMillis()).isEqualTo(4000);
        assertThat(after.memoryBytes()).isEqualTo(8 * ResourceLimits.GIB);
        assertThat(after.usedCpuMillis() - before).isEqualTo(PLAN.cpuRequestMillis());
        assertThat(after.usedDiskBytes()).isGreaterThanOrEqualTo(PLAN.diskBytes());
    }

    @Test
    void apiFailuresBecomeTypedBerthErrors() throws Exception {
        String server = cluster.kube.client().getBasePath();
        K3sProvider wrongToken = provider(Map.of("server", server, "token", "not-the-token", "insecureSkipTlsVerify", "true"));
        assertThatThrownBy(wrongToken::testConnection).isInstanceOf(AuthenticationException.class);

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        K3sProvider nobody = provider(Map.of("server", "https://127.0.0.1:" + closedPort, "token", "x", "insecureSkipTlsVerify", "true"));
        assertThatThrownBy(nobody::testConnection).isInstanceOf(UnavailableException.class)
                .satisfies(e -> assertThat(((BerthException) e).retryable()).isTrue());

        // the server's 422 names the field it rejected
        String id = newId();
        provider.provision(request(id, PLAN, "1.0.0"));
        V1Service invalid = new V1Service().apiVersion("v1").kind("Service")
                .metadata(new V1ObjectMeta().name("invalid").namespace(provider.objects().namespace(id)))
                .spec(new V1ServiceSpec().ports(List.of(new V1ServicePort().protocol("TCP").port(70000))));
        assertThatThrownBy(() -> provider.kube().apply(invalid)).isInstanceOf(InvalidSpecException.class)
                .extracting(e -> ((InvalidSpecException) e).field()).isEqualTo("Service.spec.ports[0].port");
    }

    // ------------------------------------------------------------------------------------------ helpers

    private String newId() {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        String id = "it-" + HexFormat.of().formatHex(random);
        created.add(id);
        return id;
    }

    private static ProvisionRequest request(String id, ResourceLimits plan, String version) {
        return new ProvisionRequest(id, "tenant-it", id, id + ".it.invalid", "tck-app", version, TestCluster.components(version), plan,
                TestCluster.NODE, Map.of());
    }

    private dev.berth.spi.InstanceStatus awaitState(String id, RuntimeState state) {
        await(id + " " + state).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> provider.status(id).state() == state);
        return provider.status(id);
    }

    private Map<String, String> resourceVersions(String id) {
        return cluster.objectsOf(id).entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue().getMetadata().getResourceVersion(), (a, b) -> a, TreeMap::new));
    }

    private Map<String, String> awaitSettled(String id) {
        AtomicReference<Map<String, String>> last = new AtomicReference<>(Map.of());
        await("object set of " + id + " to settle").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    Map<String, String> now = resourceVersions(id);
                    return now.equals(last.getAndSet(now));
                });
        return last.get();
    }

    private Map<String, String> claimUids(String id) {
        return cluster.kube.list(V1PersistentVolumeClaim.class, provider.objects().namespace(id), Labels.instanceSelector(id)).stream()
                .collect(Collectors.toMap(c -> c.getMetadata().getName(), c -> c.getMetadata().getUid()));
    }

    private List<V1Pod> pods(String id) {
        return cluster.kube.list(V1Pod.class, provider.objects().namespace(id), Labels.instanceSelector(id));
    }

    private static NodeCapacity node(List<NodeCapacity> nodes) {
        return nodes.stream().filter(n -> n.target().equals(TestCluster.NODE_NAME)).findFirst().orElseThrow();
    }

    /** Each object as JSON without what the server and controllers maintain (resourceVersion, managedFields, status). */
    private Map<String, String> contents(String id) {
        return cluster.objectsOf(id).entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> {
            com.google.gson.JsonObject json = io.kubernetes.client.openapi.JSON.getGson().toJsonTree(e.getValue()).getAsJsonObject();
            json.remove("status");
            json.getAsJsonObject("metadata").remove("resourceVersion");
            json.getAsJsonObject("metadata").remove("managedFields");
            return json.toString();
        }, (a, b) -> a, TreeMap::new));
    }

    private static Map<String, String> withoutQuotas(Map<String, String> versions) {
        Map<String, String> out = new TreeMap<>(versions);
        out.keySet().removeIf(k -> k.startsWith("ResourceQuota/"));
        return out;
    }

    /** The plan's caps as the server holds them: the storage quota and the compute quota together. */
    private Map<String, io.kubernetes.client.custom.Quantity> planQuota(String ns) {
        Map<String, io.kubernetes.client.custom.Quantity> hard = new java.util.HashMap<>();
        for (String name : List.of(InstanceObjects.QUOTA, InstanceObjects.COMPUTE_QUOTA)) {
            hard.putAll(cluster.kube.get(V1ResourceQuota.class, ns, name).orElseThrow().getSpec().getHard());
        }
        return hard;
    }

    private static void assertPlan(Map<String, io.kubernetes.client.custom.Quantity> hard, ResourceLimits plan) {
        Function<String, io.kubernetes.client.custom.Quantity> q = hard::get;
        assertThat(Quantities.millis(q.apply("requests.cpu"))).isEqualTo(plan.cpuRequestMillis());
        assertThat(Quantities.millis(q.apply("limits.cpu"))).isEqualTo(plan.cpuLimitMillis());
        assertThat(Quantities.bytes(q.apply("requests.memory"))).isEqualTo(plan.memoryRequestBytes());
        assertThat(Quantities.bytes(q.apply("limits.memory"))).isEqualTo(plan.memoryLimitBytes());
        assertThat(Quantities.bytes(q.apply("requests.storage"))).isEqualTo(plan.diskBytes());
    }

    private static K3sProvider provider(Map<String, String> config) {
        K3sSettings settings = K3sSettings.from(config);
        return new K3sProvider(settings, K3sProviderFactory.client(settings));
    }
}
