package dev.berth.docker.host;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.core.InvocationBuilder;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.berth.docker.DockerHostConfig;
import dev.berth.docker.DockerSettings;
import dev.berth.spi.error.UnavailableException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One Docker host: its docker-java client and the calls the provider makes on it, each translated to Berth's
 * typed errors by {@link DockerErrors} (a docker-java 404 passes through for the caller to interpret).
 */
public final class DockerHost implements AutoCloseable {

    private final DockerHostConfig config;
    private final DockerClient client;
    private final Duration stopTimeout;

    private DockerHost(DockerHostConfig config, DockerClient client, Duration stopTimeout) {
        this.config = config;
        this.client = client;
        this.stopTimeout = stopTimeout;
    }

    /** Builds the client; does not contact the daemon. */
    public static DockerHost connect(DockerHostConfig host, DockerSettings settings) {
        DefaultDockerClientConfig.Builder b = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host.endpoint().toString())
                .withDockerTlsVerify(host.tlsVerify());
        if (host.tlsVerify()) {
            b.withDockerCertPath(host.certPath());
        }
        DockerClientConfig cfg = b.build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(cfg.getDockerHost())
                .sslConfig(cfg.getSSLConfig())
                .maxConnections(64)
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(settings.apiTimeout())
                .build();
        return new DockerHost(host, DockerClientImpl.getInstance(cfg, http), settings.stopTimeout());
    }

    public String name() {
        return config.name();
    }

    public DockerHostConfig config() {
        return config;
    }

    /** The raw client, for calls this class does not wrap (creates with many options, limit updates, tests). */
    public DockerClient client() {
        return client;
    }

    public Info info() {
        return DockerErrors.call(name(), "info", () -> client.infoCmd().exec());
    }

    public void ping() {
        DockerErrors.run(name(), "ping", () -> client.pingCmd().exec());
    }

    // ---------------------------------------------------------------- containers

    /** Every container (running or not) carrying all of {@code labels}. */
    public List<Container> containers(Map<String, String> labels) {
        return DockerErrors.call(name(), "list containers",
                () -> client.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec());
    }

    /** Inspects a container; a {@link DockerErrors.MissingObjectException} when it is gone. */
    public InspectContainerResponse inspect(String containerId) {
        return DockerErrors.call(name(), "inspect container " + containerId, () -> client.inspectContainerCmd(containerId).exec());
    }

    /** Starts a container; starting a running one does nothing. */
    public void start(String containerId) {
        DockerErrors.run(name(), "start container " + containerId, () -> {
            try {
                client.startContainerCmd(containerId).exec();
            } catch (NotModifiedException alreadyRunning) {
                // idempotent by design
            }
        });
    }

    /** Stops a container; stopping a stopped one does nothing. */
    public void stop(String containerId) {
        DockerErrors.run(name(), "stop container " + containerId, () -> {
            try {
                client.stopContainerCmd(containerId).withTimeout((int) stopTimeout.toSeconds()).exec();
            } catch (NotModifiedException alreadyStopped) {
                // idempotent by design
            }
        });
    }

    /** Removes a container (forced) but not its named volumes; a missing container is fine. */
    public void remove(String containerId) {
        DockerErrors.run(name(), "remove container " + containerId, () -> {
            try {
                client.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(false).exec();
            } catch (NotFoundException gone) {
                // idempotent by design
            }
        });
    }

    public void rename(String containerId, String newName) {
        DockerErrors.run(name(), "rename container " + containerId, () -> client.renameContainerCmd(containerId).withName(newName).exec());
    }

    public void pause(String containerId) {
        DockerErrors.run(name(), "pause container " + containerId, () -> client.pauseContainerCmd(containerId).exec());
    }

    public void unpause(String containerId) {
        DockerErrors.run(name(), "unpause container " + containerId, () -> client.unpauseContainerCmd(containerId).exec());
    }

    public void connectNetwork(String network, String containerId) {
        DockerErrors.run(name(), "connect container " + containerId + " to network " + network,
                () -> client.connectToNetworkCmd().withNetworkId(network).withContainerId(containerId).exec());
    }

    /** The tar stream of {@code path} inside the container (works on stopped containers too). */
    public InputStream copyFrom(String containerId, String path) {
        return DockerErrors.call(name(), "copy " + path + " out of container " + containerId,
                () -> client.copyArchiveFromContainerCmd(containerId, path).exec());
    }

    /** Extracts a tar stream into directory {@code path} of the container (works on created containers too). */
    public void copyTo(String containerId, String path, InputStream tar) {
        DockerErrors.run(name(), "copy into " + path + " of container " + containerId,
                () -> client.copyArchiveToContainerCmd(containerId).withRemotePath(path).withTarInputStream(tar).exec());
    }

    /** The last {@code lines} log lines of a container, stdout and stderr interleaved. */
    public List<String> logs(String containerId, int lines) {
        return DockerErrors.call(name(), "read logs of container " + containerId, () -> {
            List<String> out = new ArrayList<>();
            try {
                client.logContainerCmd(containerId).withStdOut(true).withStdErr(true).withTail(lines)
                        .exec(new ResultCallback.Adapter<Frame>() {
                            @Override
                            public void onNext(Frame frame) {
                                String text = new String(frame.getPayload(), StandardCharsets.UTF_8);
                                text.lines().forEach(out::add);
                            }
                        }).awaitCompletion(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while reading logs");
            }
            return out.size() <= lines ? out : out.subList(out.size() - lines, out.size());
        });
    }

    /** One stats sample of a running container, or empty when it does not run or is gone. */
    public Optional<Statistics> stats(String containerId) {
        return DockerErrors.call(name(), "stats of container " + containerId, () -> {
            try {
                return Optional.ofNullable(client.statsCmd(containerId).withNoStream(true)
                        .exec(new InvocationBuilder.AsyncResultCallback<>()).awaitResult());
            } catch (NotFoundException removedMeanwhile) {
                return Optional.empty();
            }
        });
    }

    // ---------------------------------------------------------------- networks and volumes

    public List<Network> networks(Map<String, String> labels) {
        return DockerErrors.call(name(), "list networks", () -> client.listNetworksCmd()
                .withFilter("label", labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()).exec());
    }

    public void removeNetwork(String networkId) {
        DockerErrors.run(name(), "remove network " + networkId, () -> {
            try {
                client.removeNetworkCmd(networkId).exec();
            } catch (NotFoundException gone) {
                // idempotent by design
            }
        });
    }

    public List<InspectVolumeResponse> volumes(Map<String, String> labels) {
        return DockerErrors.call(name(), "list volumes", () -> {
            List<InspectVolumeResponse> v = client.listVolumesCmd()
                    .withFilter("label", labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                    .exec().getVolumes();
            return v == null ? List.of() : v;
        });
    }

    public void createVolume(String volumeName, Map<String, String> labels) {
        DockerErrors.run(name(), "create volume " + volumeName,
                () -> client.createVolumeCmd().withName(volumeName).withLabels(labels).exec());
    }

    public void removeVolume(String volumeName) {
        DockerErrors.run(name(), "remove volume " + volumeName, () -> {
            try {
                client.removeVolumeCmd(volumeName).exec();
            } catch (NotFoundException gone) {
                // idempotent by design
            }
        });
    }

    // ---------------------------------------------------------------- images

    public boolean hasImage(String image) {
        return DockerErrors.call(name(), "inspect image " + image, () -> {
            try {
                client.inspectImageCmd(image).exec();
                return true;
            } catch (NotFoundException e) {
                return false;
            }
        });
    }

    /** Pulls an image; fails with {@link UnavailableException} when no registry serves it. */
    public void pull(String image) {
        DockerErrors.run(name(), "pull image " + image, () -> {
            try {
                client.pullImageCmd(image).exec(new PullImageResultCallback()).awaitCompletion(10, TimeUnit.MINUTES);
            } catch (NotFoundException e) {
                throw new UnavailableException("image " + image + " is not on Docker host '" + name()
                        + "' and no registry serves it: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while pulling " + image);
            }
        });
    }

    /** {@code docker save} of one image as a tar stream; the caller closes it. */
    public InputStream save(String image) {
        return DockerErrors.call(name(), "save image " + image, () -> client.saveImageCmd(image).exec());
    }

    /** {@code docker load} of a tar stream. */
    public void load(InputStream imageTar) {
        DockerErrors.run(name(), "load image", () -> client.loadImageCmd(imageTar).exec());
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
