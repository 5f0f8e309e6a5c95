package dev.berth.docker;

import dev.berth.docker.backup.DockerBackups;
import dev.berth.docker.backup.VolumeTransfer;
import dev.berth.docker.capacity.HostCapacity;
import dev.berth.docker.create.ContainerFactory;
import dev.berth.docker.create.DataVolumes;
import dev.berth.docker.create.PlanVolumes;
import dev.berth.docker.create.ReadinessGate;
import dev.berth.docker.exec.DockerExec;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.inventory.DockerLogs;
import dev.berth.docker.inventory.InstanceStatuses;
import dev.berth.docker.lifecycle.DockerLiveResize;
import dev.berth.docker.lifecycle.InstanceLifecycle;
import dev.berth.docker.locate.InstanceLocator;
import dev.berth.docker.migration.DockerMigration;
import dev.berth.docker.network.TenantNetworks;
import dev.berth.docker.upgrade.Upgrade;
import dev.berth.spi.BackupSupport;
import dev.berth.spi.ExecSupport;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.LiveResizeSupport;
import dev.berth.spi.LogSupport;
import dev.berth.spi.MigrationSupport;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link RuntimeProvider} for Docker hosts (kind {@value #KIND}). Each configured host is one Berth node whose
 * target is the host's name. An instance is:
 * <ul>
 *   <li>one container per component, named {@code <prefix>-<slug>-<component>}, labelled with the instance
 *       (see {@link dev.berth.docker.host.DockerLabels}); everything is found by labels;</li>
 *   <li>a private bridge network {@code <prefix>-<slug>} in which components reach each other by component
 *       name; the HTTP component also joins the configured proxy network and carries Traefik labels
 *       ({@link TenantNetworks});</li>
 *   <li>a named volume per data path; a restore writes fresh volumes (a new "generation") and drops the old
 *       ones once the copy is verified ({@link DataVolumes});</li>
 *   <li>the plan's limits split across the containers ({@link dev.berth.docker.create.ResourceSplit}) plus a
 *       pids limit.</li>
 * </ul>
 * Provision, resume and upgrade return once every component passes its readiness probe. Upgrade keeps the old
 * containers (renamed) until the new version is ready and puts them back when it is not ({@link Upgrade}).
 * Images already on the host are never pulled. Thread-safe; calls for one instance must not overlap (the
 * engine guarantees it).
 *
 * <p>This class only wires the parts together; each verb and capability lives in the package of its job.
 */
public final class DockerProvider implements RuntimeProvider {

    /** The provider kind. */
    public static final String KIND = "docker";

    private final DockerSettings settings;
    private final Map<String, DockerHost> hosts = new LinkedHashMap<>();
    private final InstanceLocator locator;
    private final InstanceStatuses statuses;
    private final InstanceLifecycle lifecycle;
    private final Upgrade upgrades;
    private final HostCapacity capacity;
    private final BackupSupport backups;
    private final MigrationSupport migration;
    private final LiveResizeSupport liveResize = new DockerLiveResize();
    private final LogSupport logs;
    private final ExecSupport exec;

    /** A provider over the configured hosts; does not contact them (see {@link #testConnection()}). */
    public DockerProvider(DockerSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /** As {@link #DockerProvider(DockerSettings)}, stamping backup manifests with {@code clock}. */
    public DockerProvider(DockerSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        for (DockerHostConfig h : settings.hosts()) {
            hosts.put(h.name(), DockerHost.connect(h, settings));
        }
        locator = new InstanceLocator(hosts);
        TenantNetworks networks = new TenantNetworks(settings);
        ContainerFactory containers = new ContainerFactory(settings, networks);
        DataVolumes volumes = new DataVolumes(settings);
        PlanVolumes plans = new PlanVolumes(settings);
        ReadinessGate readiness = new ReadinessGate(settings, networks);
        VolumeTransfer transfer = new VolumeTransfer(networks, containers, volumes, readiness);
        statuses = new InstanceStatuses(locator, networks, plans);
        lifecycle = new InstanceLifecycle(locator, networks, containers, volumes, plans, readiness, statuses);
        upgrades = new Upgrade(locator, networks, containers, volumes, plans, readiness, statuses);
        capacity = new HostCapacity(locator, plans);
        backups = new DockerBackups(locator, plans, volumes, transfer, clock);
        migration = new DockerMigration(locator, containers, plans, transfer, statuses);
        logs = new DockerLogs(locator);
        exec = new DockerExec(locator);
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** The settings this provider runs with. */
    public DockerSettings settings() {
        return settings;
    }

    @Override
    public InstanceStatus provision(ProvisionRequest request) {
        return lifecycle.provision(request);
    }

    @Override
    public void suspend(String instanceId) {
        lifecycle.suspend(instanceId);
    }

    @Override
    public void resume(String instanceId) {
        lifecycle.resume(instanceId);
    }

    @Override
    public InstanceStatus changePlan(String instanceId, ResourceLimits limits) {
        return lifecycle.changePlan(instanceId, limits);
    }

    @Override
    public InstanceStatus upgrade(ProvisionRequest request) {
        return upgrades.upgrade(request);
    }

    @Override
    public InstanceStatus status(String instanceId) {
        return statuses.status(instanceId);
    }

    @Override
    public List<InstanceStatus> inventory() {
        return statuses.inventory();
    }

    @Override
    public void terminate(String instanceId) {
        lifecycle.terminate(instanceId);
    }

    /** {@inheritDoc} See {@link HostCapacity} for where each number comes from. */
    @Override
    public List<NodeCapacity> nodes() {
        return capacity.nodes();
    }

    @Override
    public void testConnection() {
        for (DockerHost host : hosts.values()) {
            host.ping();
        }
    }

    @Override
    public Optional<BackupSupport> backups() {
        return Optional.of(backups);
    }

    @Override
    public Optional<MigrationSupport> migration() {
        return Optional.of(migration);
    }

    @Override
    public Optional<LiveResizeSupport> liveResize() {
        return Optional.of(liveResize);
    }

    @Override
    public Optional<LogSupport> logs() {
        return Optional.of(logs);
    }

    @Override
    public Optional<ExecSupport> exec() {
        return Optional.of(exec);
    }

    @Override
    public void close() {
        capacity.close();
        hosts.values().forEach(DockerHost::close);
    }

    /** The host named {@code name} (package-private: tests use its raw client). */
    DockerHost host(String name) {
        return locator.host(name);
    }
}
