package dev.berth.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.api.model.Volume;
import dev.berth.spi.BackupSupport;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.LiveResizeSupport;
import dev.berth.spi.LogSupport;
import dev.berth.spi.MigrationSupport;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.NodeRef;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InsufficientCapacityException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@link RuntimeProvider} for Docker hosts (kind {@value #KIND}). Each configured host is one Berth node whose
 * target is the host's name. An instance is:
 * <ul>
 *   <li>one container per component, named {@code <prefix>-<slug>-<component>}, labelled with the instance
 *       (see {@link DockerLabels}); everything is found by labels;</li>
 *   <li>a private bridge network {@code <prefix>-<slug>} in which components reach each other by component
 *       name; the HTTP component also joins the configured proxy network and carries Traefik labels;</li>
 *   <li>a named volume per data path; a restore writes fresh volumes (a new "generation") and drops the old
 *       ones once the copy is verified;</li>
 *   <li>the plan's limits split across the containers ({@link ResourceSplit}) plus a pids limit.</li>
 * </ul>
 * Provision, resume and upgrade return once every component passes its readiness probe. Upgrade keeps the old
 * containers (renamed) until the new version is ready and puts them back when it is not. Images already on
 * the host are never pulled. Thread-safe; calls for one instance must not overlap (the engine guarantees it).
 */
public final class DockerProvider implements RuntimeProvider, BackupSupport, MigrationSupport, LiveResizeSupport, LogSupport {

    /** The provider kind. */
    public static final String KIND = "docker";

    private static final Logger log = LoggerFactory.getLogger(DockerProvider.class);
    private static final String ROLLBACK_SUFFIX = "-rollback";

    private final DockerSettings settings;
    private final Map<String, DockerHost> hosts = new LinkedHashMap<>();
    private final ReadinessProbe probe = new ReadinessProbe();
    private final java.util.Set<String> proxyNetworkReady = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Clock clock;
    private final ExecutorService statsPool = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "berth-docker-stats");
        t.setDaemon(true);
        return t;
    });

    /** A provider over the configured hosts; does not contact them (see {@link #testConnection()}). */
    public DockerProvider(DockerSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /** As {@link #DockerProvider(DockerSettings)}, stamping backup manifests with {@code clock}. */
    public DockerProvider(DockerSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (DockerHostConfig h : settings.hosts()) {
            hosts.put(h.name(), DockerHost.connect(h, settings));
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** The settings this provider runs with. */
    public DockerSettings settings() {
        return settings;
    }

    // ---------------------------------------------------------------- lifecycle verbs

    @Override
    public InstanceStatus provision(ProvisionRequest request) {
        Objects.requireNonNull(request, "request");
        InstanceSpec spec = InstanceSpec.of(request);
        DockerHost target = host(request.node().target());
        // an instance converges where it already is: moving it is migrate's job
        Optional<Located> found = locate(spec.instanceId());
        return found.isPresent() ? converge(found.get().host(), spec) : createNew(target, spec);
    }

    /**
     * The common case: no container of the instance exists. Every object is created by name, so what a failed
     * earlier attempt left (network, volumes) is found and reused instead of duplicated.
     */
    private InstanceStatus createNew(DockerHost host, InstanceSpec spec) {
        String network = ensureNetwork(host, spec, true);
        List<InspectVolumeResponse> volumes = host.volumes(DockerLabels.instance(spec.instanceId()));
        recordDisk(host, spec, volumes);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < spec.components().size(); i++) {
            ids.add(create(host, spec, i, network, ensureVolumes(host, spec, spec.components().get(i), 0, volumes), false));
        }
        ids.forEach(host::start);
        return statusOf(host, awaitReady(host, ids), spec.resources().diskBytes());
    }

    /** The instance exists (partly): create what is missing, re-apply limits, start what is stopped. */
    private InstanceStatus converge(DockerHost host, InstanceSpec spec) {
        recoverInterruptedUpgrade(host, spec.instanceId());
        String network = ensureNetwork(host, spec, false);
        List<InspectVolumeResponse> volumes = host.volumes(DockerLabels.instance(spec.instanceId()));
        recordDisk(host, spec, volumes);
        List<Container> existing = canonical(host.containers(DockerLabels.instance(spec.instanceId())));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < spec.components().size(); i++) {
            ComponentSpec c = spec.components().get(i);
            Optional<Container> found = existing.stream().filter(x -> c.name().equals(x.getLabels().get(DockerLabels.COMPONENT))).findFirst();
            String id;
            if (found.isPresent()) {
                id = found.get().getId();
                applyLimits(host, id, ResourceSplit.of(spec.resources(), i, spec.components().size()));
            } else {
                id = create(host, spec, i, network, ensureVolumes(host, spec, c, 0, volumes), false);
            }
            host.start(id);
            ids.add(id);
        }
        return statusOf(host, awaitReady(host, ids), spec.resources().diskBytes());
    }

    @Override
    public void suspend(String instanceId) {
        Located at = require(instanceId);
        for (Container c : at.containers()) {
            at.host().stop(c.getId());
        }
    }

    @Override
    public void resume(String instanceId) {
        Located at = require(instanceId);
        for (Container c : at.containers()) {
            at.host().start(c.getId());
        }
        awaitReady(at.host(), instanceId);
    }

    @Override
    public InstanceStatus changePlan(String instanceId, ResourceLimits limits) {
        if (limits == null) {
            throw new InvalidSpecException("limits", "is required");
        }
        Located at = require(instanceId);
        List<InspectContainerResponse> containers = inspectAll(at);
        int n = containers.size();
        for (int i = 0; i < n; i++) {
            applyLimits(at.host(), containers.get(i).getId(), ResourceSplit.of(limits, i, n));
        }
        recordDisk(at.host(), InstanceSpec.fromContainers(containers).withResources(limits));
        return status(at.host(), instanceId);
    }

    @Override
    public InstanceStatus upgrade(ProvisionRequest request) {
        Objects.requireNonNull(request, "request");
        InstanceSpec spec = InstanceSpec.of(request);
        DockerHost host = require(spec.instanceId()).host();
        recoverInterruptedUpgrade(host, spec.instanceId());
        List<InspectContainerResponse> current = inspectAll(new Located(host, canonical(host.containers(DockerLabels.instance(spec.instanceId())))));
        if (current.stream().allMatch(c -> spec.appVersion().equals(InstanceSpec.label(c, DockerLabels.VERSION, null)))
                && current.size() == spec.components().size()) {
            return status(host, spec.instanceId()); // already on this version
        }
        boolean wasRunning = current.stream().anyMatch(c -> Boolean.TRUE.equals(c.getState().getRunning()));
        String oldVersion = InstanceSpec.label(current.get(0), DockerLabels.VERSION, "?");
        for (ComponentSpec c : spec.components()) {
            ensureImage(host, c.image(), null);
        }
        // retire the old containers under another name: they come back untouched if the new version is not ready
        for (InspectContainerResponse c : current) {
            host.stop(c.getId());
            host.rename(c.getId(), c.getName().replaceFirst("^/", "") + ROLLBACK_SUFFIX);
        }
        String network = ensureNetwork(host, spec, false);
        List<InspectVolumeResponse> volumes = host.volumes(DockerLabels.instance(spec.instanceId()));
        recordDisk(host, spec, volumes);
        try {
            for (int i = 0; i < spec.components().size(); i++) {
                String id = create(host, spec, i, network, ensureVolumes(host, spec, spec.components().get(i), 0, volumes), false);
                if (wasRunning) host.start(id);
            }
            if (wasRunning) awaitReady(host, spec.instanceId());
        } catch (RuntimeException e) {
            log.warn("upgrade of instance {} to {} failed, rolling back to {}: {}", spec.instanceId(), spec.appVersion(), oldVersion, e.getMessage());
            recoverInterruptedUpgrade(host, spec.instanceId());
            if (wasRunning) {
                for (Container c : canonical(host.containers(DockerLabels.instance(spec.instanceId())))) host.start(c.getId());
            }
            if (e instanceof ReadinessProbe.NotReadyException) {
                throw new BerthException("upgrade of instance " + spec.instanceId() + " to " + spec.appVersion()
                        + " was rolled back to " + oldVersion + ": " + e.getMessage(), false, e);
            }
            throw e;
        }
        for (Container c : rollbacks(host.containers(DockerLabels.instance(spec.instanceId())))) {
            host.remove(c.getId());
        }
        return status(host, spec.instanceId());
    }

    @Override
    public InstanceStatus status(String instanceId) {
        Located at = require(instanceId);
        return status(at, instanceId);
    }

    @Override
    public List<InstanceStatus> inventory() {
        Map<String, InstanceStatus> result = new LinkedHashMap<>();
        for (DockerHost host : hosts.values()) {
            Map<String, List<Container>> byInstance = new LinkedHashMap<>();
            for (Container c : canonical(host.containers(DockerLabels.managed()))) {
                byInstance.computeIfAbsent(c.getLabels().get(DockerLabels.INSTANCE), k -> new ArrayList<>()).add(c);
            }
            Map<String, Long> disks = planDisks(host);
            for (var e : byInstance.entrySet()) {
                try {
                    result.putIfAbsent(e.getKey(), statusOf(host, inspectAll(new Located(host, e.getValue())),
                            disks.getOrDefault(e.getKey(), -1L)));
                } catch (DockerErrors.MissingObjectException removedMeanwhile) {
                    // removed while we looked: not part of the inventory
                }
            }
        }
        return List.copyOf(result.values());
    }

    @Override
    public void terminate(String instanceId) {
        for (DockerHost host : hosts.values()) {
            wipe(host, instanceId);
        }
    }

    /**
     * {@inheritDoc} CPU and memory capacity come from the daemon's {@code info}; disk from the host's
     * configured {@code diskBytes}, else the file system of the daemon's data directory when it is local.
     * Used CPU and memory are sampled from the stats of Berth's running containers; used disk is the sum of
     * the disk quotas of Berth's instances on the host.
     */
    @Override
    public List<NodeCapacity> nodes() {
        List<NodeCapacity> result = new ArrayList<>();
        for (DockerHost host : hosts.values()) {
            Info info = host.info();
            long cpu = (info.getNCPU() == null ? 0 : info.getNCPU()) * 1000L;
            long memory = info.getMemTotal() == null ? 0 : info.getMemTotal();
            long disk = host.config().diskBytes() > 0 ? host.config().diskBytes() : localDisk(info.getDockerRootDir());
            List<Container> mine = host.containers(DockerLabels.managed());
            long usedDisk = planDisks(host).values().stream().mapToLong(Long::longValue).sum();
            List<Future<Optional<Statistics>>> samples = new ArrayList<>();
            for (Container c : mine) {
                if ("running".equals(c.getState())) {
                    samples.add(statsPool.submit(() -> host.stats(c.getId())));
                }
            }
            long usedCpu = 0;
            long usedMemory = 0;
            for (Future<Optional<Statistics>> f : samples) {
                Optional<Statistics> s = join(f);
                if (s.isEmpty()) continue;
                usedCpu += cpuMillis(s.get());
                Long mem = s.get().getMemoryStats() == null ? null : s.get().getMemoryStats().getUsage();
                usedMemory += mem == null ? 0 : mem;
            }
            result.add(new NodeCapacity(host.name(), cpu, memory, disk, usedCpu, usedMemory, usedDisk));
        }
        return result;
    }

    @Override
    public void testConnection() {
        for (DockerHost host : hosts.values()) {
            host.ping();
        }
    }

    @Override
    public Optional<BackupSupport> backups() {
        return Optional.of(this);
    }

    @Override
    public Optional<MigrationSupport> migration() {
        return Optional.of(this);
    }

    @Override
    public Optional<LiveResizeSupport> liveResize() {
        return Optional.of(this);
    }

    @Override
    public Optional<LogSupport> logs() {
        return Optional.of(this);
    }

    /** {@inheritDoc} Docker lowers a memory limit live as long as the current usage fits under it. */
    @Override
    public boolean canShrinkMemory() {
        return true;
    }

    @Override
    public void close() {
        statsPool.shutdownNow();
        hosts.values().forEach(DockerHost::close);
    }

    // ---------------------------------------------------------------- backups

    /**
     * {@inheritDoc} Running containers are paused while their volumes are copied, so the archive is a
     * consistent point-in-time copy; the archive is complete on local disk before it is handed to the store.
     */
    @Override
    public BackupManifest backup(String instanceId, String backupId, BackupStore store) {
        Objects.requireNonNull(store, "store");
        if (backupId == null || backupId.isBlank()) {
            throw new InvalidSpecException("backupId", "must not be blank");
        }
        Located at = require(instanceId);
        List<InspectContainerResponse> containers = inspectAll(at);
        InstanceSpec spec = InstanceSpec.fromContainers(containers);
        Path archive = tempFile("berth-backup-");
        try {
            archiveVolumes(at.host(), containers, archive, true);
            try (InputStream in = Files.newInputStream(archive)) {
                return store.put(new BackupManifest(backupId, instanceId, spec.appId(), spec.appVersion(), clock.instant(),
                        0, null, null), in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(archive);
        }
    }

    @Override
    public void restore(String instanceId, BackupManifest backup, BackupStore store) {
        Objects.requireNonNull(backup, "backup");
        Objects.requireNonNull(store, "store");
        Located at = require(instanceId);
        Path archive = tempFile("berth-restore-");
        try {
            try (InputStream in = store.open(backup.backupId()); OutputStream out = Files.newOutputStream(archive)) {
                in.transferTo(out);
            }
            long size = Files.size(archive);
            if ((backup.sizeBytes() > 0 && size != backup.sizeBytes())
                    || (backup.sha256() != null && !backup.sha256().equals(VolumeArchive.sha256(archive)))) {
                throw new BerthException("backup " + backup.backupId() + " does not match its manifest (size or SHA-256); nothing was restored", false);
            }
            List<InspectContainerResponse> containers = inspectAll(at);
            InstanceSpec spec = specOf(at.host(), containers);
            boolean wasRunning = containers.stream().anyMatch(c -> Boolean.TRUE.equals(c.getState().getRunning()));
            int generation = maxGeneration(at.host(), instanceId) + 1;
            for (InspectContainerResponse c : containers) {
                at.host().remove(c.getId());
            }
            recreateFromArchive(at.host(), spec, archive, generation, wasRunning);
            for (InspectVolumeResponse v : at.host().volumes(DockerLabels.instance(instanceId))) {
                if (isData(v) && generation(v) < generation) at.host().removeVolume(v.getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(archive);
        }
    }

    // ---------------------------------------------------------------- migration

    /**
     * {@inheritDoc} The instance is stopped on its host, its volumes archived, recreated with the same spec on
     * the target (images copied over when the target lacks them and no registry serves them), filled and
     * verified, started when it ran before, and only then removed from the old host. A failure before the switch
     * removes the partial copy and starts the original again.
     */
    @Override
    public InstanceStatus migrate(String instanceId, NodeRef target) {
        Objects.requireNonNull(target, "target");
        DockerHost to = host(target.target());
        List<Located> everywhere = locateAll(instanceId);
        if (everywhere.isEmpty()) {
            throw new dev.berth.spi.error.NotFoundException("instance", instanceId);
        }
        Optional<Located> source = everywhere.stream().filter(l -> l.host() != to).findFirst();
        if (source.isEmpty()) {
            return status(to, instanceId);
        }
        DockerHost from = source.get().host();
        wipe(to, instanceId); // a copy left by an interrupted migration is incomplete by definition
        List<InspectContainerResponse> containers = inspectAll(source.get());
        InstanceSpec spec = specOf(from, containers);
        boolean wasRunning = containers.stream().anyMatch(c -> Boolean.TRUE.equals(c.getState().getRunning()));
        for (InspectContainerResponse c : containers) {
            from.stop(c.getId());
        }
        Path archive = tempFile("berth-migrate-");
        try {
            archiveVolumes(from, containers, archive, false);
            for (ComponentSpec c : spec.components()) {
                ensureImage(to, c.image(), from);
            }
            recordDisk(to, spec);
            recreateFromArchive(to, spec, archive, 1, wasRunning);
        } catch (IOException | RuntimeException e) {
            log.warn("migration of instance {} from {} to {} failed, keeping it on {}: {}", instanceId, from.name(), to.name(), from.name(), e.getMessage());
            try {
                wipe(to, instanceId);
            } finally {
                if (wasRunning) containers.forEach(c -> from.start(c.getId()));
            }
            if (e instanceof IOException io) throw new UncheckedIOException(io);
            throw (RuntimeException) e;
        } finally {
            deleteQuietly(archive);
        }
        wipe(from, instanceId);
        return status(to, instanceId);
    }

    // ---------------------------------------------------------------- logs

    @Override
    public List<String> tail(String instanceId, String component, int lines) {
        if (lines <= 0) {
            throw new InvalidSpecException("lines", "must be positive");
        }
        Located at = require(instanceId);
        Container c = at.containers().stream().filter(x -> component.equals(x.getLabels().get(DockerLabels.COMPONENT))).findFirst()
                .orElseThrow(() -> new dev.berth.spi.error.NotFoundException("component", instanceId + "/" + component));
        return at.host().logs(c.getId(), lines);
    }

    // ---------------------------------------------------------------- internals: locating

    /** The host holding an instance and its canonical (non-rollback) containers. */
    private record Located(DockerHost host, List<Container> containers) { }

    /** The host named {@code name} (package-private: tests and benchmarks use its raw client). */
    DockerHost host(String name) {
        DockerHost h = hosts.get(name);
        if (h == null) {
            throw new InvalidSpecException("node.target", "no Docker host named '" + name + "' is configured (have " + hosts.keySet() + ")");
        }
        return h;
    }

    private List<Located> locateAll(String instanceId) {
        List<Located> found = new ArrayList<>();
        if (instanceId == null) return found;
        for (DockerHost host : hosts.values()) {
            List<Container> all = host.containers(DockerLabels.instance(instanceId));
            List<Container> mine = canonical(all);
            if (!mine.isEmpty()) {
                found.add(new Located(host, mine));
            } else if (!all.isEmpty()) {
                found.add(new Located(host, all)); // only rollback copies left: still the instance
            }
        }
        return found;
    }

    /** Where the instance is; when a migration left it on two hosts, the one where it runs wins. */
    private Optional<Located> locate(String instanceId) {
        List<Located> all = locateAll(instanceId);
        return all.stream().filter(l -> l.containers().stream().anyMatch(c -> "running".equals(c.getState()))).findFirst()
                .or(() -> all.stream().findFirst());
    }

    private Located require(String instanceId) {
        return locate(instanceId).orElseThrow(() -> new dev.berth.spi.error.NotFoundException("instance", instanceId));
    }

    private static List<Container> canonical(List<Container> containers) {
        return containers.stream().filter(c -> !isRollback(c)).sorted(Comparator.comparingInt(DockerProvider::index)).toList();
    }

    private static List<Container> rollbacks(List<Container> containers) {
        return containers.stream().filter(DockerProvider::isRollback).toList();
    }

    private static boolean isRollback(Container c) {
        return c.getNames() != null && c.getNames().length > 0 && c.getNames()[0].endsWith(ROLLBACK_SUFFIX);
    }

    private static int index(Container c) {
        return Integer.parseInt(c.getLabels().getOrDefault(DockerLabels.COMPONENT_INDEX, "0"));
    }

    private List<InspectContainerResponse> inspectAll(Located at) {
        List<InspectContainerResponse> out = new ArrayList<>();
        for (Container c : at.containers()) {
            out.add(at.host().inspect(c.getId()));
        }
        out.sort(Comparator.comparingInt(c -> Integer.parseInt(InstanceSpec.label(c, DockerLabels.COMPONENT_INDEX, "0"))));
        return out;
    }

    // ---------------------------------------------------------------- internals: status

    private InstanceStatus status(DockerHost host, String instanceId) {
        List<Container> containers = canonical(host.containers(DockerLabels.instance(instanceId)));
        if (containers.isEmpty()) {
            throw new dev.berth.spi.error.NotFoundException("instance", instanceId);
        }
        return status(new Located(host, containers), instanceId);
    }

    private InstanceStatus status(Located at, String instanceId) {
        return statusOf(at.host(), inspectAll(at), -1);
    }

    /**
     * The status of an instance from its (canonical) containers, inspected; {@code diskBytes} when the caller
     * just recorded it, -1 to read it from the plan volume.
     */
    private InstanceStatus statusOf(DockerHost host, List<InspectContainerResponse> inspected, long diskBytes) {
        List<InspectContainerResponse> containers = new ArrayList<>(inspected);
        containers.sort(Comparator.comparingInt(c -> Integer.parseInt(InstanceSpec.label(c, DockerLabels.COMPONENT_INDEX, "0"))));
        InspectContainerResponse first = containers.get(0);
        String instanceId = InstanceSpec.label(first, DockerLabels.INSTANCE, null);
        int expected = Integer.parseInt(InstanceSpec.label(first, DockerLabels.COMPONENT_COUNT, "1"));
        int running = 0;
        boolean restarting = false;
        String endpoint = null;
        for (InspectContainerResponse c : containers) {
            if (Boolean.TRUE.equals(c.getState().getRunning())) running++;
            if (Boolean.TRUE.equals(c.getState().getRestarting())) restarting = true;
            if (Boolean.parseBoolean(InstanceSpec.label(c, DockerLabels.HTTP, "false"))) {
                String ports = InstanceSpec.label(c, DockerLabels.PORTS, "");
                Optional<String> ip = address(c, networkName(InstanceSpec.label(c, DockerLabels.SLUG, "")));
                if (ip.isPresent() && !ports.isBlank()) {
                    endpoint = ip.get() + ":" + ports.split(",")[0].substring(ports.split(",")[0].lastIndexOf(':') + 1);
                }
            }
        }
        RuntimeState state;
        if (running == 0 && !restarting) {
            state = RuntimeState.STOPPED;
        } else if (running == expected && containers.size() == expected && !restarting) {
            state = RuntimeState.RUNNING;
        } else {
            state = RuntimeState.DEGRADED;
        }
        ResourceLimits limits;
        try {
            limits = ResourceSplit.readBack(containers.stream().map(InspectContainerResponse::getHostConfig).toList(),
                    diskBytes >= 0 ? diskBytes : diskBytes(host, instanceId, Long.parseLong(InstanceSpec.label(first, DockerLabels.DISK_BYTES, "0"))));
        } catch (InvalidSpecException notOurs) {
            limits = null; // a container without limits was not created by this provider
        }
        return new InstanceStatus(instanceId, host.name(), state, InstanceSpec.label(first, DockerLabels.VERSION, null), limits, endpoint);
    }

    private static Optional<String> address(InspectContainerResponse c, String network) {
        if (c.getNetworkSettings() == null || c.getNetworkSettings().getNetworks() == null) return Optional.empty();
        ContainerNetwork n = c.getNetworkSettings().getNetworks().get(network);
        return n == null || n.getIpAddress() == null || n.getIpAddress().isBlank() ? Optional.empty() : Optional.of(n.getIpAddress());
    }

    // ---------------------------------------------------------------- internals: creating

    private String networkName(String slug) {
        return settings.namePrefix() + "-" + slug;
    }

    private String containerName(InstanceSpec spec, ComponentSpec c) {
        return settings.namePrefix() + "-" + spec.slug() + "-" + c.name();
    }

    /**
     * The instance's network, created when missing. {@code likelyNew}: try to create it first (one call instead
     * of two for a new instance); a name conflict then means it exists and is looked up.
     */
    private String ensureNetwork(DockerHost host, InstanceSpec spec, boolean likelyNew) {
        Map<String, String> labels = DockerLabels.instance(spec.instanceId());
        if (!likelyNew) {
            List<Network> found = host.networks(labels);
            if (!found.isEmpty()) {
                return found.get(0).getName();
            }
        }
        String name = networkName(spec.slug());
        try {
            DockerErrors.run(host.name(), "create network " + name, () -> host.client().createNetworkCmd()
                    .withName(name).withDriver("bridge").withCheckDuplicate(true).withLabels(labels).exec());
        } catch (DockerErrors.MissingObjectException noPool) {
            // Docker answers 404 when its address pools are used up (about 30 networks with the defaults)
            throw new InsufficientCapacityException("Docker host '" + host.name() + "' has no free address pool for the network of instance "
                    + spec.instanceId() + "; give the daemon larger default-address-pools (" + noPool.getMessage().strip() + ")");
        } catch (dev.berth.spi.error.ConflictException exists) {
            List<Network> found = host.networks(labels);
            if (found.isEmpty()) throw exists; // the name belongs to something that is not this instance's
            return found.get(0).getName();
        }
        return name;
    }

    /**
     * Volume names of a component, by volume name. Existing volumes (highest generation) are reused;
     * {@code generation > 0} creates fresh volumes of that generation instead.
     */
    private Map<String, String> ensureVolumes(DockerHost host, InstanceSpec spec, ComponentSpec c, int generation,
                                              List<InspectVolumeResponse> existingVolumes) {
        Map<String, String> names = new LinkedHashMap<>();
        for (ComponentSpec.Volume v : c.volumes()) {
            Map<String, String> labels = new HashMap<>(DockerLabels.instance(spec.instanceId()));
            labels.put(DockerLabels.COMPONENT, c.name());
            labels.put(DockerLabels.VOLUME, v.name());
            if (generation == 0) {
                Optional<InspectVolumeResponse> existing = existingVolumes.stream()
                        .filter(x -> x.getLabels() != null && x.getLabels().entrySet().containsAll(labels.entrySet()))
                        .max(Comparator.comparingInt(DockerProvider::generation));
                if (existing.isPresent()) {
                    names.put(v.name(), existing.get().getName());
                    continue;
                }
            }
            int gen = Math.max(generation, 1);
            String name = settings.namePrefix() + "-" + spec.slug() + "-" + c.name() + "-" + v.name() + "-g" + gen;
            labels.put(DockerLabels.GENERATION, Integer.toString(gen));
            labels.putAll(spec.extraLabels());
            host.createVolume(name, labels);
            names.put(v.name(), name);
        }
        return names;
    }

    private int maxGeneration(DockerHost host, String instanceId) {
        return host.volumes(DockerLabels.instance(instanceId)).stream().filter(DockerProvider::isData)
                .mapToInt(DockerProvider::generation).max().orElse(0);
    }

    private static boolean isData(InspectVolumeResponse v) {
        return v.getLabels() != null && v.getLabels().containsKey(DockerLabels.COMPONENT);
    }

    /** The spec of an instance as its containers and plan volume describe it. */
    private InstanceSpec specOf(DockerHost host, List<InspectContainerResponse> containers) {
        InstanceSpec spec = InstanceSpec.fromContainers(containers);
        ResourceLimits r = spec.resources();
        long disk = diskBytes(host, spec.instanceId(), r.diskBytes());
        return spec.withResources(new ResourceLimits(r.cpuRequestMillis(), r.cpuLimitMillis(), r.memoryRequestBytes(),
                r.memoryLimitBytes(), disk));
    }

    /** Makes the instance's plan volume say {@code spec}'s disk size (creates the new one, then drops others). */
    private void recordDisk(DockerHost host, InstanceSpec spec) {
        recordDisk(host, spec, host.volumes(DockerLabels.instance(spec.instanceId())));
    }

    private void recordDisk(DockerHost host, InstanceSpec spec, List<InspectVolumeResponse> instanceVolumes) {
        Map<String, String> filter = new HashMap<>(DockerLabels.instance(spec.instanceId()));
        filter.put(DockerLabels.ROLE, DockerLabels.ROLE_PLAN);
        String disk = Long.toString(spec.resources().diskBytes());
        List<InspectVolumeResponse> existing = instanceVolumes.stream()
                .filter(v -> v.getLabels() != null && DockerLabels.ROLE_PLAN.equals(v.getLabels().get(DockerLabels.ROLE))).toList();
        if (existing.stream().anyMatch(v -> disk.equals(v.getLabels().get(DockerLabels.DISK_BYTES)))) {
            existing.stream().filter(v -> !disk.equals(v.getLabels().get(DockerLabels.DISK_BYTES)))
                    .forEach(v -> host.removeVolume(v.getName()));
            return;
        }
        Map<String, String> labels = new HashMap<>(filter);
        labels.put(DockerLabels.DISK_BYTES, disk);
        labels.putAll(spec.extraLabels());
        host.createVolume(settings.namePrefix() + "-" + spec.slug() + "-plan-" + disk, labels);
        existing.forEach(v -> host.removeVolume(v.getName()));
    }

    /** Disk size of every instance on the host that has a plan volume, by instance id (one API call). */
    private Map<String, Long> planDisks(DockerHost host) {
        Map<String, Long> disks = new HashMap<>();
        for (InspectVolumeResponse v : host.volumes(Map.of(DockerLabels.MANAGED, "true", DockerLabels.ROLE, DockerLabels.ROLE_PLAN))) {
            String disk = v.getLabels().get(DockerLabels.DISK_BYTES);
            if (disk != null) disks.merge(v.getLabels().get(DockerLabels.INSTANCE), Long.parseLong(disk), Math::max);
        }
        return disks;
    }

    /** The disk size on the plan volume, or {@code fallback} (the container label) when there is none. */
    private long diskBytes(DockerHost host, String instanceId, long fallback) {
        Map<String, String> filter = new HashMap<>(DockerLabels.instance(instanceId));
        filter.put(DockerLabels.ROLE, DockerLabels.ROLE_PLAN);
        return host.volumes(filter).stream().map(v -> v.getLabels().get(DockerLabels.DISK_BYTES))
                .filter(Objects::nonNull).mapToLong(Long::parseLong).max().orElse(fallback);
    }

    private static int generation(InspectVolumeResponse v) {
        return v.getLabels() == null ? 0 : Integer.parseInt(v.getLabels().getOrDefault(DockerLabels.GENERATION, "0"));
    }

    /** Creates (does not start) the container of component {@code index}; returns its id. */
    private String create(DockerHost host, InstanceSpec spec, int index, String network, Map<String, String> volumes, boolean noCopy) {
        ComponentSpec c = spec.components().get(index);
        ResourceSplit split = ResourceSplit.of(spec.resources(), index, spec.components().size());
        List<Bind> binds = new ArrayList<>();
        for (ComponentSpec.Volume v : c.volumes()) {
            // noCopy: a restored volume must hold exactly the archive, not the image's files at that path
            binds.add(new Bind(volumes.get(v.name()), new Volume(v.path()), noCopy));
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
        String name = containerName(spec, c);
        java.util.function.Supplier<String> createCall = () -> DockerErrors.call(host.name(), "create container " + name, () -> {
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
            ensureProxyNetwork(host);
            try {
                host.connectNetwork(settings.proxyNetwork(), id);
            } catch (DockerErrors.MissingObjectException gone) {
                proxyNetworkReady.remove(host.name()); // removed by hand: the retry creates it again
                throw gone;
            }
        }
        return id;
    }

    /**
     * Uses the operator's proxy network when it exists. Otherwise creates it with inter-container traffic
     * disabled: every tenant's HTTP component joins it, and with ICC off they cannot reach each other through
     * it, while a proxy on the host network (Traefik with {@code network_mode: host}) still reaches them all.
     */
    private void ensureProxyNetwork(DockerHost host) {
        if (proxyNetworkReady.contains(host.name())) return;
        String name = settings.proxyNetwork();
        boolean exists = DockerErrors.call(host.name(), "list networks", () ->
                host.client().listNetworksCmd().withNameFilter(name).exec().stream().anyMatch(n -> name.equals(n.getName())));
        if (!exists) {
            try {
                DockerErrors.run(host.name(), "create proxy network " + name, () -> host.client().createNetworkCmd()
                        .withName(name).withDriver("bridge").withCheckDuplicate(true)
                        .withOptions(Map.of("com.docker.network.bridge.enable_icc", "false"))
                        .withLabels(Map.of(DockerLabels.MANAGED, "true", DockerLabels.ROLE, DockerLabels.ROLE_PROXY)).exec());
            } catch (dev.berth.spi.error.ConflictException raced) {
                // created concurrently by another provision: fine
            }
        }
        proxyNetworkReady.add(host.name());
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

    private void applyLimits(DockerHost host, String containerId, ResourceSplit wanted) {
        HostConfig hc = host.inspect(containerId).getHostConfig();
        if (!wanted.equals(ResourceSplit.of(hc)) || !Objects.equals(hc.getPidsLimit(), settings.pidsLimit())) {
            host.update(containerId, wanted, settings.pidsLimit());
        }
    }

    /** Pulls an image the host lacks; when no registry serves it, copies it from {@code donor} if given. */
    private void ensureImage(DockerHost host, String image, DockerHost donor) {
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

    /**
     * A previous upgrade stopped half-way (old containers renamed, new ones maybe created): the old version is
     * the known-good one, so the new containers go and the old ones get their names back.
     */
    private void recoverInterruptedUpgrade(DockerHost host, String instanceId) {
        List<Container> all = host.containers(DockerLabels.instance(instanceId));
        List<Container> old = rollbacks(all);
        if (old.isEmpty()) return;
        for (Container c : canonical(all)) {
            host.remove(c.getId());
        }
        for (Container c : old) {
            String name = c.getNames()[0].replaceFirst("^/", "");
            host.rename(c.getId(), name.substring(0, name.length() - ROLLBACK_SUFFIX.length()));
        }
    }

    /** Waits until every component of the instance with a readiness probe passes it. */
    private void awaitReady(DockerHost host, String instanceId) {
        awaitReady(host, canonical(host.containers(DockerLabels.instance(instanceId))).stream().map(Container::getId).toList());
    }

    /**
     * Waits until every one of these containers that has a readiness probe passes it; returns them inspected
     * after they are ready (for the status).
     */
    private List<InspectContainerResponse> awaitReady(DockerHost host, List<String> containerIds) {
        List<InspectContainerResponse> ready = new ArrayList<>();
        for (String id : containerIds) {
            InspectContainerResponse c = host.inspect(id);
            String readiness = InstanceSpec.label(c, DockerLabels.READINESS, "");
            if (!readiness.isBlank()) {
                String[] p = readiness.split("\\|", -1);
                ComponentSpec.Readiness r = new ComponentSpec.Readiness(p[0].isEmpty() ? null : p[0], Integer.parseInt(p[1]),
                        p[2].isEmpty() ? null : Duration.ofMillis(Long.parseLong(p[2])));
                String network = networkName(InstanceSpec.label(c, DockerLabels.SLUG, ""));
                String what = "component " + InstanceSpec.label(c, DockerLabels.COMPONENT, "?") + " of instance "
                        + InstanceSpec.label(c, DockerLabels.INSTANCE, "?");
                // the address is known once the container started; look again only while it has none (restarting)
                java.util.concurrent.atomic.AtomicReference<Optional<String>> known = new java.util.concurrent.atomic.AtomicReference<>(address(c, network));
                probe.await(what, r, () -> known.get().isPresent() ? known.get() : known.updateAndGet(k -> address(host.inspect(id), network)),
                        r.timeout() == null ? settings.readinessTimeout() : r.timeout());
                c = host.inspect(id);
            }
            ready.add(c);
        }
        return ready;
    }

    // ---------------------------------------------------------------- internals: data

    /** Writes every volume of the containers into one archive; pauses running containers while copying. */
    private void archiveVolumes(DockerHost host, List<InspectContainerResponse> containers, Path archive, boolean pauseRunning) throws IOException {
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
                String component = InstanceSpec.label(c, DockerLabels.COMPONENT, "app");
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
    private void recreateFromArchive(DockerHost host, InstanceSpec spec, Path archive, int generation, boolean start) throws IOException {
        String network = ensureNetwork(host, spec, false);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < spec.components().size(); i++) {
            ComponentSpec c = spec.components().get(i);
            String id = create(host, spec, i, network, ensureVolumes(host, spec, c, generation, List.of()), true);
            ids.add(id);
            for (ComponentSpec.Volume v : c.volumes()) {
                Path part = tempFile("berth-volume-");
                try {
                    try (OutputStream out = Files.newOutputStream(part)) {
                        VolumeArchive.extract(archive, c.name(), v.name(), out);
                    }
                    try (InputStream in = Files.newInputStream(part)) {
                        host.copyTo(id, v.path(), in);
                    }
                } finally {
                    deleteQuietly(part);
                }
                Map<String, String> expected = VolumeArchive.fingerprint(archive, c.name(), v.name());
                Map<String, String> actual;
                try (InputStream in = host.copyFrom(id, v.path())) {
                    actual = VolumeArchive.fingerprint(in);
                }
                if (!expected.equals(actual)) {
                    throw new BerthException("volume " + v.name() + " of component " + c.name() + " of instance " + spec.instanceId()
                            + " does not match the archive after copying (" + expected.size() + " entries expected, "
                            + actual.size() + " found)", false);
                }
            }
        }
        if (start) {
            ids.forEach(host::start);
            awaitReady(host, spec.instanceId());
        }
    }

    /** Removes every container, volume and network of the instance on one host. */
    private void wipe(DockerHost host, String instanceId) {
        Map<String, String> labels = DockerLabels.instance(instanceId);
        for (Container c : host.containers(labels)) {
            host.remove(c.getId());
        }
        for (InspectVolumeResponse v : host.volumes(labels)) {
            host.removeVolume(v.getName());
        }
        for (Network n : host.networks(labels)) {
            host.removeNetwork(n.getId());
        }
    }

    // ---------------------------------------------------------------- internals: misc

    private static long cpuMillis(Statistics s) {
        if (s.getCpuStats() == null || s.getPreCpuStats() == null || s.getCpuStats().getCpuUsage() == null
                || s.getPreCpuStats().getCpuUsage() == null) return 0;
        Long total = s.getCpuStats().getCpuUsage().getTotalUsage();
        Long preTotal = s.getPreCpuStats().getCpuUsage().getTotalUsage();
        Long system = s.getCpuStats().getSystemCpuUsage();
        Long preSystem = s.getPreCpuStats().getSystemCpuUsage();
        Long cpus = s.getCpuStats().getOnlineCpus();
        if (total == null || preTotal == null || system == null || preSystem == null || system <= preSystem) return 0;
        double share = (double) (total - preTotal) / (system - preSystem);
        return Math.round(share * (cpus == null ? 1 : cpus) * 1000);
    }

    private static long localDisk(String dockerRootDir) {
        try {
            Path root = Path.of(dockerRootDir == null ? "/var/lib/docker" : dockerRootDir);
            return Files.exists(root) ? Files.getFileStore(root).getTotalSpace() : 0;
        } catch (IOException | SecurityException e) {
            return 0;
        }
    }

    private static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while sampling container stats");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new UnavailableException("sampling container stats failed", e.getCause());
        }
    }

    private static Path tempFile(String prefix) {
        try {
            return Files.createTempFile(prefix, ".tar");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.debug("cannot delete temporary file {}: {}", p, e.getMessage());
        }
    }
}
