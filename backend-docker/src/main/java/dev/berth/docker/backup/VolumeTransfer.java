package dev.berth.docker.backup;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.berth.docker.create.ContainerFactory;
import dev.berth.docker.create.DataVolumes;
import dev.berth.docker.create.InstanceSpec;
import dev.berth.docker.create.ReadinessGate;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.host.DockerLabels;
import dev.berth.docker.network.TenantNetworks;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.error.BerthException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Moves an instance's volumes through a {@link VolumeArchive} on local disk: out of its containers (backup,
 * migration) and into fresh containers on fresh volumes, verified entry by entry (restore, migration). Docker's
 * archive API does the copying, so it works on stopped containers and on remote hosts alike.
 */
public final class VolumeTransfer {

    private static final Logger log = LoggerFactory.getLogger(VolumeTransfer.class);

    private final TenantNetworks networks;
    private final ContainerFactory containers;
    private final DataVolumes volumes;
    private final ReadinessGate readiness;

    /** Transfers that recreate containers with the provider's shared parts. */
    public VolumeTransfer(TenantNetworks networks, ContainerFactory containers, DataVolumes volumes, ReadinessGate readiness) {
        this.networks = networks;
        this.containers = containers;
        this.volumes = volumes;
        this.readiness = readiness;
    }

    /** Writes every volume of the containers into one archive; pauses running containers while copying. */
    public void archiveVolumes(DockerHost host, List<InspectContainerResponse> containers, Path archive, boolean pauseRunning)
            throws IOException {
        List<String> paused = new ArrayList<>();
        try (OutputStream out = Files.newOutputStream(archive); VolumeArchive tar = new VolumeArchive(out)) {
            if (pauseRunning) {
                for (InspectContainerResponse c : containers) {
                    if (Boolean.TRUE.equals(c.getState().getRunning()) && !Boolean.TRUE.equals(c.getState().getPaused())) {
                        host.pause(c.getId());
                        paused.add(c.getId());
                    }
                }
            }
            for (InspectContainerResponse c : containers) {
                String component = DockerLabels.read(c, DockerLabels.COMPONENT, "app");
                for (ComponentSpec.Volume v : InstanceSpec.fromContainers(List.of(c)).components().get(0).volumes()) {
                    try (InputStream in = host.copyFrom(c.getId(), v.path())) {
                        tar.add(component, v.name(), in);
                    }
                }
            }
        } finally {
            for (String id : paused) {
                host.unpause(id);
            }
        }
    }

    /**
     * Creates fresh volumes of {@code generation} and the containers on them, fills each volume from the
     * archive, verifies the copy entry by entry and starts the containers when {@code start}.
     */
    public void recreateFromArchive(DockerHost host, InstanceSpec spec, Path archive, int generation, boolean start) throws IOException {
        String network = networks.ensureNetwork(host, spec.instanceId(), spec.slug(), false);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < spec.components().size(); i++) {
            ComponentSpec c = spec.components().get(i);
            String id = containers.create(host, spec, i, network, volumes.ensureVolumes(host, spec, c, generation, List.of()), true);
            ids.add(id);
            for (ComponentSpec.Volume v : c.volumes()) {
                fill(host, id, v, archive, c.name());
                verify(host, id, v, archive, c.name(), spec.instanceId());
            }
        }
        if (start) {
            ids.forEach(host::start);
            readiness.awaitReady(host, spec.instanceId());
        }
    }

    /**
     * Copies one volume out of the archive into the container (through a file: the archive API wants a stream).
     * The tar goes into the mount path's parent with the root directory named by its last segment, so Docker gives
     * the mount point (the fresh volume's root, made by Docker as root) the archived owner and mode; a non-root
     * app could not create files in its data directory otherwise.
     */
    private static void fill(DockerHost host, String containerId, ComponentSpec.Volume v, Path archive, String component)
            throws IOException {
        String path = trimTrailingSlashes(v.path());
        if (!path.startsWith("/") || path.length() == 1) {
            throw new BerthException("volume " + v.name() + " of component " + component + " cannot be restored into mount path "
                    + v.path(), false);
        }
        int slash = path.lastIndexOf('/');
        String parent = slash == 0 ? "/" : path.substring(0, slash);
        Path part = tempFile("berth-volume-");
        try {
            try (OutputStream out = Files.newOutputStream(part)) {
                VolumeArchive.extract(archive, component, v.name(), path.substring(slash + 1), out);
            }
            try (InputStream in = Files.newInputStream(part)) {
                host.copyTo(containerId, parent, in);
            }
        } finally {
            deleteQuietly(part);
        }
    }

    /** Compares the volume's content in the container with the archive's, entry by entry. */
    private static void verify(DockerHost host, String containerId, ComponentSpec.Volume v, Path archive, String component,
                               String instanceId) throws IOException {
        Map<String, String> expected = VolumeArchive.fingerprint(archive, component, v.name());
        Map<String, String> actual;
        try (InputStream in = host.copyFrom(containerId, v.path())) {
            actual = VolumeArchive.fingerprint(in);
        }
        if (!expected.equals(actual)) {
            throw new BerthException("volume " + v.name() + " of component " + component + " of instance " + instanceId
                    + " does not match the archive after copying (" + expected.size() + " entries expected, "
                    + actual.size() + " found)", false);
        }
    }

    private static String trimTrailingSlashes(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** A new empty scratch file for an archive. */
    public static Path tempFile(String prefix) {
        try {
            return Files.createTempFile(prefix, ".tar");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a scratch file; a failure is only logged (it is in the temp directory). */
    public static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.debug("cannot delete temporary file {}: {}", p, e.getMessage());
        }
    }
}
