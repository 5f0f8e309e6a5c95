package dev.berth.k3s.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Runs pods for real in local Docker containers, for the {@link FakeKubelet}: the container gets the pod's image,
 * its command and args, its env, and its volumes as bind mounts. A PVC is a directory named by the claim's uid (as
 * K3s's local-path provisioner keeps one directory per volume), so a recreated claim starts empty and the tests
 * can look into a claim's data; an emptyDir is a directory of the pod. {@link #exec} runs a command in a pod's
 * container with its streams attached, as the kubelet's streaming server does.
 */
final class DockerPods implements AutoCloseable {

    /** Where this JVM's claims' and pods' directories live (per process, so two test runs never share one). */
    static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "berth-fake-kubelet-" + ProcessHandle.current().pid());
    private static final String LABEL = "dev.berth.test.fake-kubelet";
    private static final String RUN = Long.toString(ProcessHandle.current().pid());

    private final DockerClient docker;
    private final Function<String, String> claimUid;
    /** pod uid → container id */
    private final Map<String, String> containers = new ConcurrentHashMap<>();

    /** @param claimUid maps "namespace/claim" to the claim's uid */
    DockerPods(Function<String, String> claimUid) {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        this.docker = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).connectionTimeout(Duration.ofSeconds(5)).build());
        this.claimUid = claimUid;
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the fake kubelet runs archiver pods in Docker, and no Docker engine answers at "
                    + config.getDockerHost() + " (test.sh starts one)", e);
        }
    }

    /** The directory holding a claim's data. */
    static Path claimDir(String uid) {
        return ROOT.resolve("claims").resolve(uid);
    }

    /**
     * Creates and starts the pod's (first) container with {@code env} unless it runs already. As in Kubernetes, the
     * container's command replaces the image's entrypoint (and its default arguments), its args the default
     * arguments; without either the image's own start command runs.
     */
    void start(V1Pod pod, Map<String, String> env) {
        containers.computeIfAbsent(pod.getMetadata().getUid(), uid -> {
            V1Container c = pod.getSpec().getContainers().get(0);
            List<Bind> binds = new ArrayList<>();
            for (V1VolumeMount m : Optional.ofNullable(c.getVolumeMounts()).orElse(List.of())) {
                Path dir = hostDir(pod, m.getName());
                binds.add(Boolean.TRUE.equals(m.getReadOnly())
                        ? new Bind(dir.toString(), new Volume(m.getMountPath()), com.github.dockerjava.api.model.AccessMode.ro)
                        : new Bind(dir.toString(), new Volume(m.getMountPath())));
            }
            var create = docker.createContainerCmd(c.getImage())
                    .withName("fake-kubelet-" + pod.getMetadata().getNamespace() + "-" + pod.getMetadata().getName())
                    .withLabels(Map.of(LABEL, RUN, LABEL + ".pod", uid))
                    .withEnv(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                    .withHostConfig(HostConfig.newHostConfig().withBinds(binds).withNetworkMode("none"));
            if (c.getCommand() != null) {
                create.withEntrypoint(c.getCommand());
            }
            if (c.getArgs() != null) {
                create.withCmd(c.getArgs());
            }
            String id = create.exec().getId();
            docker.startContainerCmd(id).exec();
            return id;
        });
    }

    boolean runs(V1Pod pod) {
        return containers.containsKey(pod.getMetadata().getUid());
    }

    /** Removes the pod's container and its emptyDirs. */
    void remove(V1Pod pod) {
        String id = containers.remove(pod.getMetadata().getUid());
        if (id != null) {
            try {
                docker.removeContainerCmd(id).withForce(true).exec();
            } catch (NotFoundException e) {
                // gone already
            }
        }
        deleteTree(ROOT.resolve("pods").resolve(pod.getMetadata().getUid()));
    }

    /**
     * Runs {@code command} in the pod's container; stdout and stderr go to the sinks, stdin (when given) is fed
     * from {@code stdin}. Returns the exit code.
     */
    int exec(String podUid, List<String> command, InputStream stdin, OutputStream stdout, OutputStream stderr) throws InterruptedException {
        String container = containers.get(podUid);
        if (container == null) {
            throw new IllegalStateException("no container runs for pod " + podUid);
        }
        String exec = docker.execCreateCmd(container).withCmd(command.toArray(String[]::new))
                .withAttachStdin(stdin != null).withAttachStdout(true).withAttachStderr(true).exec().getId();
        var start = docker.execStartCmd(exec);
        if (stdin != null) {
            start.withStdIn(stdin);
        }
        start.exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                try {
                    (frame.getStreamType() == StreamType.STDERR ? stderr : stdout).write(frame.getPayload());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }).awaitCompletion();
        Long code = docker.inspectExecCmd(exec).exec().getExitCodeLong();
        return code == null ? -1 : code.intValue();
    }

    private Path hostDir(V1Pod pod, String volumeName) {
        V1Volume volume = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals(volumeName)).findFirst()
                .orElseThrow(() -> new IllegalStateException("pod mounts undeclared volume " + volumeName));
        Path dir;
        if (volume.getPersistentVolumeClaim() != null) {
            String uid = claimUid.apply(pod.getMetadata().getNamespace() + "/" + volume.getPersistentVolumeClaim().getClaimName());
            dir = claimDir(uid);
        } else if (volume.getEmptyDir() != null) {
            dir = ROOT.resolve("pods").resolve(pod.getMetadata().getUid()).resolve(volumeName);
        } else {
            throw new IllegalStateException("the fake kubelet mounts only PVCs and emptyDirs, not " + volumeName);
        }
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes this run's containers (only its own: another test run may share the Docker engine). */
    private void removeContainers() {
        docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(LABEL, RUN)).exec()
                .forEach(c -> docker.removeContainerCmd(c.getId()).withForce(true).exec());
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        removeContainers();
        deleteTree(ROOT);
        try {
            docker.close();
        } catch (IOException e) {
            // closing a test client
        }
    }
}
