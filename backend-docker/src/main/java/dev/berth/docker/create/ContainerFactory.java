package dev.berth.docker.create;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.Volume;
import dev.berth.docker.DockerSettings;
import dev.berth.docker.host.DockerErrors;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.network.TenantNetworks;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.error.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Creates the container of one component: image, env, labels, limits ({@link ResourceSplit}), volumes, the
 * instance network and, for the HTTP component, the proxy network and Traefik labels. Also keeps the limits of
 * existing containers in line with the plan, and brings images onto a host that lacks them.
 */
public final class ContainerFactory {

    private static final Logger log = LoggerFactory.getLogger(ContainerFactory.class);

    private final DockerSettings settings;
    private final TenantNetworks networks;

    /** Containers configured by {@code settings}, joined to {@code networks}. */
    public ContainerFactory(DockerSettings settings, TenantNetworks networks) {
        this.settings = settings;
        this.networks = networks;
    }

    /**
     * Creates (does not start) the container of component {@code index}; returns its id. {@code volumes} maps
     * the component's volume names to Docker volume names ({@link DataVolumes#ensureVolumes}). {@code noCopy}
     * mounts them without Docker's copy-up of the image's files: only for volumes Berth fills from an archive.
     */
    public String create(DockerHost host, InstanceSpec spec, int index, String network, Map<String, String> volumes, boolean noCopy) {
        ComponentSpec c = spec.components().get(index);
        ResourceSplit split = ResourceSplit.of(spec.resources(), index, spec.components().size());
        List<Bind> binds = new ArrayList<>();
        for (ComponentSpec.Volume v : c.volumes()) {
            // Bind writes ",nocopy" for any non-null flag, false included, so "copy" must be null: a fresh volume
            // then gets the image's directory (content, owner, mode), which a non-root image needs to write its
            // data. noCopy only where Berth fills the volume itself: a restored volume must hold exactly the archive.
            binds.add(new Bind(volumes.get(v.name()), new Volume(v.path()), noCopy ? Boolean.TRUE : null));
        }
        HostConfig hc = HostConfig.newHostConfig()
                .withNanoCPUs(split.nanoCpus())
                .withCpuShares(split.cpuShares())
                .withMemory(split.memoryBytes())
                .withMemorySwap(split.memoryBytes())
                .withMemoryReservation(split.memoryReservationBytes())
                .withPidsLimit(settings.pidsLimit())
                .withRestartPolicy(RestartPolicy.parse(settings.restartPolicy()))
                .withNetworkMode(network)
                .withBinds(binds);
        List<String> env = new ArrayList<>();
        c.env().forEach((k, v) -> env.add(k + "=" + v));
        c.secretEnv().forEach((k, v) -> env.add(k + "=" + v.reveal()));
        Map<String, String> labels = spec.containerLabels(index);
        if (c.http()) {
            labels.putAll(traefikLabels(spec, c));
        }
        String name = settings.namePrefix() + "-" + spec.slug() + "-" + c.name();
        Supplier<String> createCall = () -> DockerErrors.call(host.name(), "create container " + name, () -> {
            CreateContainerCmd cmd = host.client().createContainerCmd(c.image())
                    .withName(name)
                    .withHostName(c.name())
                    .withEnv(env)
                    .withLabels(labels)
                    .withExposedPorts(c.ports().stream().map(p -> ExposedPort.tcp(p.containerPort())).toList())
                    .withHostConfig(hc)
                    .withAliases(c.name());
            return cmd.exec().getId();
        });
        String id;
        try {
            id = createCall.get();
        } catch (DockerErrors.MissingObjectException noImage) {
            // the only 404 of a create: the image is not on the host (checking first would cost a call every time)
            ensureImage(host, c.image(), null);
            id = createCall.get();
        }
        if (c.http() && settings.proxyNetwork() != null) {
            networks.joinProxyNetwork(host, id);
        }
        return id;
    }

    /** Traefik labels of the HTTP component: a router on the instance's host name to its first port. */
    private Map<String, String> traefikLabels(InstanceSpec spec, ComponentSpec c) {
        Map<String, String> l = new LinkedHashMap<>();
        if (spec.hostname() == null || c.ports().isEmpty()) {
            return l;
        }
        String router = settings.namePrefix() + "-" + spec.slug();
        String r = "traefik.http.routers." + router;
        l.put("traefik.enable", "true");
        l.put(r + ".rule", "Host(`" + spec.hostname() + "`)");
        l.put(r + ".service", router);
        l.put("traefik.http.services." + router + ".loadbalancer.server.port", Integer.toString(c.ports().get(0).containerPort()));
        if (settings.traefikEntrypoint() != null) {
            l.put(r + ".entrypoints", settings.traefikEntrypoint());
        }
        if (settings.tlsResolver() != null) {
            l.put(r + ".tls", "true");
            l.put(r + ".tls.certresolver", settings.tlsResolver());
        }
        if (settings.proxyNetwork() != null) {
            l.put("traefik.docker.network", settings.proxyNetwork());
        }
        return l;
    }

    /** Gives a live container {@code wanted}'s limits and the configured pids limit, when it has others. */
    public void applyLimits(DockerHost host, String containerId, ResourceSplit wanted) {
        HostConfig hc = host.inspect(containerId).getHostConfig();
        if (!wanted.equals(ResourceSplit.of(hc)) || !Objects.equals(hc.getPidsLimit(), settings.pidsLimit())) {
            DockerErrors.run(host.name(), "update limits of container " + containerId, () -> {
                // swap = memory means "no swap"; Docker rejects a memory limit above the current swap limit, so
                // both are set in one update
                host.client().updateContainerCmd(containerId)
                        .withNanoCPUs(wanted.nanoCpus())
                        .withCpuShares(wanted.cpuShares())
                        .withMemory(wanted.memoryBytes())
                        .withMemorySwap(wanted.memoryBytes())
                        .withMemoryReservation(wanted.memoryReservationBytes())
                        .withPidsLimit(settings.pidsLimit())
                        .exec();
            });
        }
    }

    /** Pulls an image the host lacks; when no registry serves it, copies it from {@code donor} if given. */
    public void ensureImage(DockerHost host, String image, DockerHost donor) {
        if (host.hasImage(image)) {
            return;
        }
        try {
            host.pull(image);
        } catch (UnavailableException e) {
            if (donor == null || !donor.hasImage(image)) throw e;
            log.info("copying image {} from Docker host {} to {} (no registry serves it)", image, donor.name(), host.name());
            try (InputStream tar = donor.save(image)) {
                host.load(tar);
            } catch (IOException io) {
                throw new UnavailableException("copying image " + image + " to Docker host '" + host.name() + "' failed", io);
            }
        }
    }
}
