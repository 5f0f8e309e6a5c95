package dev.berth.k3s.it;

import dev.berth.core.Berth;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.plan.Plan;
import dev.berth.core.secret.SecretCipher;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.k3s.K3sProvider;
import dev.berth.k3s.K3sProviderFactory;
import dev.berth.k3s.K3sSettings;
import dev.berth.k3s.kube.KubeApi;
import dev.berth.k3s.objects.Labels;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.NodeRef;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.SecretValue;
import dev.berth.testkit.image.TestAppImage;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.*;
import io.kubernetes.client.util.generic.options.ListOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.fail;

/**
 * The real test API server ({@code backend-k3s/scripts/kube-test-server.sh start}; its kubeconfig named by
 * {@code BERTH_TEST_KUBECONFIG}), one fake node and the {@link FakeKubelet}, shared by every integration test of
 * the JVM. Missing server = failing tests, never skipped ones.
 */
final class TestCluster {

    /** The node the tests register and place on. */
    static final String NODE_NAME = "berth-test-node";
    /** The Berth node that stands for it. */
    static final NodeRef NODE = new NodeRef("k3s-node-1", NODE_NAME, Map.of("region", "test"));
    /** The PVC the marker file is written to. */
    static final String MARKER_CLAIM = "app-data";
    static final String MARKER_FILE = "tck-marker";

    private static TestCluster instance;

    final K3sSettings settings;
    final K3sProvider provider;
    final KubeApi kube;
    final FakeKubelet kubelet;

    private TestCluster(String kubeconfig) {
        // the archiver runs in Docker (see FakeKubelet): the testkit's busybox image has all it needs
        settings = K3sSettings.from(Map.of("kubeconfig", kubeconfig, "progressDeadline", "PT15S", "rolloutTimeout", "PT60S",
                "terminateTimeout", "PT90S", "clusterIssuer", "letsencrypt-test",
                "archiverImage", TestAppImage.ensure(null, TestAppImage.V1), "archiverTimeout", "PT5M"));
        provider = new K3sProvider(settings, K3sProviderFactory.client(settings));
        // a second manager for test-side writes, so they never count as Berth's fields
        kube = new KubeApi(K3sProviderFactory.client(settings), "berth-tests");
        kubelet = new FakeKubelet(kube, NODE_NAME);
        registerNode(kubelet.streamingPort());
        kubelet.start();
        // the cluster lives as long as the test JVM: its archiver containers and claim directories go with it
        Runtime.getRuntime().addShutdownHook(new Thread(kubelet::close, "fake-kubelet-cleanup"));
    }

    /** The shared cluster; fails the calling test when no server is configured or reachable. */
    static synchronized TestCluster get() {
        if (instance == null) {
            awaitBackgroundStart();
            String kubeconfig = System.getenv("BERTH_TEST_KUBECONFIG");
            if (kubeconfig == null || !Files.isReadable(Path.of(kubeconfig))) {
                fail("BERTH_TEST_KUBECONFIG must name the kubeconfig of the test API server; start it with "
                        + "backend-k3s/scripts/kube-test-server.sh start && eval $(backend-k3s/scripts/kube-test-server.sh env) "
                        + "(test.sh does both)");
            }
            instance = new TestCluster(kubeconfig);
        }
        return instance;
    }

    /**
     * On a machine's first run, test.sh builds and starts the server in the background (it takes minutes) and names
     * the file its exit status will be written to: wait for it, and fail with the log when the start failed.
     */
    private static void awaitBackgroundStart() {
        String statusFile = System.getenv("BERTH_TEST_KUBE_START_STATUS");
        if (statusFile == null) {
            return;
        }
        Path status = Path.of(statusFile);
        Path log = Path.of(System.getenv().getOrDefault("BERTH_TEST_KUBE_START_LOG", statusFile + ".log"));
        try {
            org.awaitility.Awaitility.await("the test API server's background build and start (log: " + log + ")")
                    .atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> Files.isReadable(status) && !Files.readString(status).isBlank());
            if (!Files.readString(status).strip().equals("0")) {
                List<String> lines = Files.isReadable(log) ? Files.readAllLines(log) : List.of();
                fail("the test API server did not start (exit " + Files.readString(status).strip() + "); end of " + log + ":\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
            }
        } catch (java.io.IOException e) {
            fail("cannot read " + status + ": " + e.getMessage());
        }
    }

    /**
     * A node with a real-looking allocatable and a Ready condition, as a kubelet would register it, whose kubelet
     * (the API server's target for exec) is the fake kubelet's streaming endpoint on loopback.
     */
    private void registerNode(int kubeletPort) {
        V1Node node = kube.get(V1Node.class, null, NODE_NAME).orElseGet(() -> kube.apply(new V1Node().apiVersion("v1").kind("Node")
                .metadata(new V1ObjectMeta().name(NODE_NAME).labels(Map.of("kubernetes.io/hostname", NODE_NAME)))));
        Map<String, Quantity> size = Map.of("cpu", new Quantity("4"), "memory", new Quantity("8Gi"),
                "ephemeral-storage", new Quantity("100Gi"), "pods", new Quantity("110"));
        node.status(new V1NodeStatus().capacity(size).allocatable(size).conditions(List.of(
                        new V1NodeCondition().type("Ready").status("True").reason("KubeletReady")))
                .addresses(List.of(new V1NodeAddress().type("InternalIP").address("127.0.0.1")))
                .daemonEndpoints(new V1NodeDaemonEndpoints().kubeletEndpoint(new V1DaemonEndpoint().port(kubeletPort))));
        kube.updateStatus(node, V1Node::getStatus);
    }

    /** The TCK's test app: an HTTP app and a database, each with a volume, a secret and a readiness probe. */
    static List<ComponentSpec> components(String version) {
        return List.of(
                new ComponentSpec("app", "berth-testkit-app:" + version, null, List.of(new ComponentSpec.Port("http", 8080)),
                        List.of(new ComponentSpec.Volume("data", "/data")), Map.of("GREETING", "hello", "DB_HOST", "db"),
                        Map.of("APP_SECRET", SecretValue.of("s3cret-app-value")),
                        new ComponentSpec.Readiness("/healthz", 8080, Duration.ofSeconds(60)), true),
                new ComponentSpec("db", "berth-testkit-db:1.0", null, List.of(new ComponentSpec.Port("db", 5432)),
                        List.of(new ComponentSpec.Volume("data", "/var/lib/db")), Map.of(),
                        Map.of("DB_PASSWORD", SecretValue.of("s3cret-db-value")),
                        new ComponentSpec.Readiness(null, 5432, Duration.ofSeconds(30)), false));
    }

    /**
     * {@link #components} with images Docker has ({@link TestAppImage}, busybox with {@code sh}), for instances
     * whose pods run in Docker ({@link FakeKubelet#runInDocker}): the app at {@code version}, the db at V1.
     */
    static List<ComponentSpec> dockerComponents(String version) {
        List<ComponentSpec> simulated = components(version);
        return List.of(withImage(simulated.get(0), TestAppImage.ensure(null, version)),
                withImage(simulated.get(1), TestAppImage.ensure(null, TestAppImage.V1)));
    }

    private static ComponentSpec withImage(ComponentSpec c, String image) {
        return new ComponentSpec(c.name(), image, c.lxcTemplate(), c.ports(), c.volumes(), c.env(), c.secretEnv(), c.readiness(), c.http());
    }

    /** Writes a file into the data of the app's claim, where the app itself would write it. */
    void writeMarker(String instanceId, String content) {
        try {
            Files.writeString(kubelet.claimDir(provider.objects().namespace(instanceId), MARKER_CLAIM).resolve(MARKER_FILE), content);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Optional<String> readMarker(String instanceId) {
        Path file = kubelet.claimDir(provider.objects().namespace(instanceId), MARKER_CLAIM).resolve(MARKER_FILE);
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file)) : Optional.empty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A Berth engine on a fresh in-memory H2 database running {@code provider} (give each engine its own provider:
     * closing the engine closes it, and the shared {@link #provider} serves the other tests of the JVM), with the
     * test node registered and {@code plan} saved. {@code customize} adds what a test needs (catalog, backup store).
     */
    Berth startBerth(String name, K3sProvider provider, Plan plan, java.util.function.UnaryOperator<Berth.Builder> customize) {
        EngineSettings engine = new EngineSettings(name, 2, Duration.ofMillis(100), Duration.ofMillis(200), 4,
                Duration.ofMillis(50), Duration.ofMillis(400), 4, Duration.ofSeconds(90), "apps.test", "UTC", java.util.Set.of(),
                false, Duration.ofSeconds(1));
        Berth berth = customize.apply(Berth.builder().database(DatabaseSettings.h2Memory(name + "-" + java.util.UUID.randomUUID()))
                .encryptionKeyset(SecretCipher.generateKeysetJson()).provider(provider).engine(engine)).build().start();
        berth.nodes().register(new Node(NODE.nodeId(), dev.berth.k3s.K3sProvider.KIND, NODE_NAME, Map.of(),
                new Capacity(4000, 8 * ResourceLimits.GIB, 100 * ResourceLimits.GIB), Overcommit.NONE, 0, null, NodeStatus.ONLINE));
        berth.plans().save(plan);
        return berth;
    }

    /** Everything labelled for the instance, in any namespace, named "Kind namespace/name". */
    List<String> labelled(String instanceId) {
        String selector = Labels.INSTANCE + "=" + instanceId;
        List<String> out = new ArrayList<>();
        for (Class<? extends KubernetesObject> kind : List.of(V1Namespace.class, V1ResourceQuota.class, V1LimitRange.class,
                V1NetworkPolicy.class, V1ServiceAccount.class, V1Secret.class, V1PersistentVolumeClaim.class, V1Deployment.class,
                V1Pod.class, V1Service.class, V1Ingress.class, V1Job.class)) {
            for (KubernetesObject o : kube.list(kind, null, new ListOptions().labelSelector(selector))) {
                out.add(o.getKind() == null ? kind.getSimpleName() + " " + name(o) : o.getKind() + " " + name(o));
            }
        }
        return out;
    }

    /** The instance's objects by "Kind/name" (ReplicaSets and Pods, which controllers make, left out). */
    Map<String, KubernetesObject> objectsOf(String instanceId) {
        String ns = provider.objects().namespace(instanceId);
        Map<String, KubernetesObject> out = new HashMap<>();
        kube.get(V1Namespace.class, null, ns).ifPresent(n -> out.put("Namespace/" + ns, n));
        for (Class<? extends KubernetesObject> kind : List.of(V1ResourceQuota.class, V1LimitRange.class, V1NetworkPolicy.class,
                V1ServiceAccount.class, V1Secret.class, V1PersistentVolumeClaim.class, V1Deployment.class, V1Service.class,
                V1Ingress.class)) {
            for (KubernetesObject o : kube.list(kind, ns, Labels.instanceSelector(instanceId))) {
                out.put(kind.getSimpleName().substring(2) + "/" + o.getMetadata().getName(), o);
            }
        }
        return out;
    }

    private static String name(KubernetesObject o) {
        return o.getMetadata().getNamespace() == null ? o.getMetadata().getName()
                : o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }
}
