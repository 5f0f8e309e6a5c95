package dev.berth.k3s.it;

import dev.berth.k3s.kube.KubeApi;
import dev.berth.k3s.objects.Labels;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Binding;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateRunning;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import io.kubernetes.client.util.generic.options.DeleteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The status-simulation shim: stands in for kube-scheduler and kubelet, which the test API server does not run.
 * Every 200 ms it binds Berth's unscheduled pods to a node (the one their {@code kubernetes.io/hostname} node
 * selector names, else its own test node), writes a Running/Ready status for pods bound to its node (so the real
 * ReplicaSet and Deployment controllers compute readiness and rollout status themselves), and completes the
 * deletion of its terminating pods (grace period 0), as a kubelet confirms a stopped container. Pods whose image
 * contains a string registered with {@link #failImagesContaining} never become ready.
 *
 * <p>App pods are only simulated, but pods of a Job (Berth's backup/restore archiver) really run: in a Docker
 * container with their claims mounted ({@link DockerPods}), and the API server reaches them for {@code exec}
 * through this kubelet's streaming endpoint ({@link KubeletStreams}, registered as the node's kubelet port). So do
 * the app pods of instances registered with {@link #runInDocker} (the exec suite's): their container runs the
 * pod's image with its env (secret references resolved) and claims, and is reported ready once it runs (this
 * kubelet runs no probes).
 */
final class FakeKubelet implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FakeKubelet.class);

    private final KubeApi kube;
    private final CoreV1Api core;
    private final GenericKubernetesApi<V1Pod, V1PodList> pods;
    private final String defaultNode;
    private final Set<String> failingImages = ConcurrentHashMap.newKeySet();
    private final Set<String> dockerInstances = ConcurrentHashMap.newKeySet();
    private final DockerPods docker;
    private final KubeletStreams streams;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-kubelet");
        t.setDaemon(true);
        return t;
    });

    FakeKubelet(KubeApi kube, String defaultNode) {
        this.kube = kube;
        this.core = new CoreV1Api(kube.client());
        this.pods = new GenericKubernetesApi<>(V1Pod.class, V1PodList.class, "", "v1", "pods", kube.client());
        this.defaultNode = defaultNode;
        this.docker = new DockerPods(this::claimUid);
        this.streams = new KubeletStreams(docker, this::runningPodUid);
    }

    /** The port of the kubelet's streaming endpoint, for the node's {@code daemonEndpoints}. */
    int streamingPort() {
        return streams.port();
    }

    /** The directory holding the data of a claim (created on first use). */
    java.nio.file.Path claimDir(String namespace, String claim) {
        try {
            return java.nio.file.Files.createDirectories(DockerPods.claimDir(claimUid(namespace + "/" + claim)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String claimUid(String namespacedName) {
        String[] parts = namespacedName.split("/", 2);
        return kube.get(io.kubernetes.client.openapi.models.V1PersistentVolumeClaim.class, parts[0], parts[1])
                .map(c -> c.getMetadata().getUid())
                .orElseThrow(() -> new IllegalStateException("no claim " + namespacedName));
    }

    private String runningPodUid(String namespace, String name) {
        return kube.get(V1Pod.class, namespace, name).filter(docker::runs).map(p -> p.getMetadata().getUid()).orElse(null);
    }

    FakeKubelet start() {
        loop.scheduleWithFixedDelay(this::tick, 0, 200, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Pods with such an image stay unready (a crash-looping or unpullable image). */
    void failImagesContaining(String part) {
        failingImages.add(part);
    }

    /** The app pods of this instance run in Docker from now on (their images must be present locally). */
    void runInDocker(String instanceId) {
        dockerInstances.add(instanceId);
    }

    private void tick() {
        try {
            for (V1Pod pod : kube.list(V1Pod.class, null, Labels.MANAGED_SELECTOR)) {
                try {
                    step(pod);
                } catch (Exception e) {
                    log.debug("fake kubelet: pod {}/{}: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), e.toString());
                }
            }
        } catch (RuntimeException e) {
            log.debug("fake kubelet: list failed: {}", e.toString());
        }
    }

    private void step(V1Pod pod) throws Exception {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        String boundTo = pod.getSpec().getNodeName();
        if (boundTo != null && !boundTo.equals(defaultNode)) {
            return;   // a real kubelet runs that node
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            docker.remove(pod);
            DeleteOptions now = new DeleteOptions();
            now.setGracePeriodSeconds(0L);
            pods.delete(ns, name, now);
            return;
        }
        if (pod.getSpec().getNodeName() == null) {
            String node = pod.getSpec().getNodeSelector() == null ? null : pod.getSpec().getNodeSelector().get("kubernetes.io/hostname");
            V1Binding binding = new V1Binding().metadata(new V1ObjectMeta().name(name).namespace(ns))
                    .target(new V1ObjectReference().apiVersion("v1").kind("Node").name(node == null ? defaultNode : node));
            try {
                core.createNamespacedPodBinding(name, ns, binding).execute();
            } catch (RuntimeException | io.kubernetes.client.openapi.ApiException e) {
                // the server answers a Status, which the typed client cannot read as a Binding; the binding is made
            }
            return;
        }
        if (ownedByJob(pod)) {
            runForReal(pod, false);
            return;
        }
        String instance = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(Labels.INSTANCE);
        if (instance != null && dockerInstances.contains(instance)) {
            runForReal(pod, true);
            return;
        }
        String image = pod.getSpec().getContainers().get(0).getImage();
        if (failingImages.stream().anyMatch(image::contains) || ready(pod)) {
            return;
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<V1PodCondition> conditions = List.of("PodScheduled", "Initialized", "ContainersReady", "Ready").stream()
                .map(t -> new V1PodCondition().type(t).status("True").lastTransitionTime(now)).toList();
        List<V1ContainerStatus> containers = pod.getSpec().getContainers().stream().map(c -> new V1ContainerStatus()
                .name(c.getName()).image(c.getImage()).imageID("fake://" + c.getImage()).ready(true).started(true)
                .restartCount(0)).toList();
        pod.status(new V1PodStatus().phase("Running").conditions(conditions).containerStatuses(containers).startTime(now)
                .hostIP("127.0.0.1").podIP("10.42.0.10"));
        kube.updateStatus(pod, V1Pod::getStatus);
    }

    private static boolean ownedByJob(V1Pod pod) {
        return pod.getMetadata().getOwnerReferences() != null
                && pod.getMetadata().getOwnerReferences().stream().anyMatch(o -> "Job".equals(o.getKind()));
    }

    /**
     * Starts the pod's container in Docker once and reports it running; ready too when {@code ready} (an app pod:
     * this kubelet runs no probes), not for an archiver, which has none.
     */
    private void runForReal(V1Pod pod, boolean ready) {
        if (docker.runs(pod)) {
            return;
        }
        docker.start(pod, env(pod));
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<V1ContainerStatus> containers = pod.getSpec().getContainers().stream().map(c -> new V1ContainerStatus()
                .name(c.getName()).image(c.getImage()).imageID("docker://" + c.getImage()).ready(ready).started(true)
                .restartCount(0).state(new V1ContainerState().running(new V1ContainerStateRunning().startedAt(now)))).toList();
        List<String> conditions = ready ? List.of("PodScheduled", "Initialized", "ContainersReady", "Ready") : List.of("PodScheduled");
        pod.status(new V1PodStatus().phase("Running").containerStatuses(containers).startTime(now).hostIP("127.0.0.1")
                .podIP("10.42.0.11").conditions(conditions.stream()
                        .map(t -> new V1PodCondition().type(t).status("True").lastTransitionTime(now)).toList()));
        kube.updateStatus(pod, V1Pod::getStatus);
    }

    /** The env of the pod's (first) container, secret references read from their Secrets, as a kubelet does. */
    private Map<String, String> env(V1Pod pod) {
        Map<String, String> env = new LinkedHashMap<>();
        for (V1EnvVar e : Optional.ofNullable(pod.getSpec().getContainers().get(0).getEnv()).orElse(List.of())) {
            if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                var ref = e.getValueFrom().getSecretKeyRef();
                byte[] value = kube.get(V1Secret.class, pod.getMetadata().getNamespace(), ref.getName())
                        .map(V1Secret::getData).map(d -> d.get(ref.getKey()))
                        .orElseThrow(() -> new IllegalStateException("no secret key " + ref.getName() + "/" + ref.getKey()));
                env.put(e.getName(), new String(value, StandardCharsets.UTF_8));
            } else if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            }
        }
        return env;
    }

    private static boolean ready(V1Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @Override
    public void close() {
        loop.shutdownNow();
        streams.close();
        docker.close();
    }
}
