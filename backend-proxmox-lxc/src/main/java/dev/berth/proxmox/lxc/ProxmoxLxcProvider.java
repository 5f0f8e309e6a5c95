package dev.berth.proxmox.lxc;

import dev.berth.proxmox.backup.VzdumpBackups;
import dev.berth.proxmox.capacity.NodeCapacities;
import dev.berth.proxmox.client.ProxmoxClient;
import dev.berth.proxmox.container.BerthMetadata;
import dev.berth.proxmox.container.BerthTags;
import dev.berth.proxmox.container.LxcSizing;
import dev.berth.proxmox.create.GuestSetup;
import dev.berth.proxmox.create.Provisioner;
import dev.berth.proxmox.exec.SshExec;
import dev.berth.proxmox.guest.GuestConfigurer;
import dev.berth.proxmox.guest.SshGuestConfigurer;
import dev.berth.proxmox.inventory.ContainerApi;
import dev.berth.proxmox.inventory.ContainerLocator;
import dev.berth.proxmox.inventory.Inventory;
import dev.berth.proxmox.inventory.Locks;
import dev.berth.proxmox.inventory.StatusReader;
import dev.berth.proxmox.lifecycle.PowerControl;
import dev.berth.proxmox.migration.RestartMigration;
import dev.berth.proxmox.network.AddressPool;
import dev.berth.proxmox.resize.LxcLiveResize;
import dev.berth.proxmox.resize.Resizer;
import dev.berth.proxmox.upgrade.Upgrader;
import dev.berth.spi.BackupSupport;
import dev.berth.spi.ExecSupport;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.LiveResizeSupport;
import dev.berth.spi.MigrationSupport;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.backup.BackupStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Proxmox LXC {@link RuntimeProvider} (kind {@value #KIND}): one unprivileged LXC container per instance.
 * This class only wires the backend's parts and delegates to them:
 *
 * <ul>
 *   <li><b>Finding containers</b> ({@link ContainerLocator}, {@link Inventory}): every container carries the
 *       tags {@code berth} and {@code berth-i-<instance>} ({@link BerthTags}) and Berth's {@link BerthMetadata}
 *       in its description; {@code /cluster/resources} finds them on any node, so the provider keeps no state of
 *       its own and any Berth process can take over.</li>
 *   <li><b>Create</b> ({@link Provisioner}): from the component's {@code lxcTemplate}, sized from the plan
 *       ({@link LxcSizing}), {@code net0} on the bridge (DHCP or an {@link AddressPool} address), VM ids from the
 *       {@link VmidAllocator}; the app is configured through the {@link GuestConfigurer}, because the API cannot
 *       run commands in a container.</li>
 *   <li><b>Verbs</b>: suspend = shutdown then stop after the timeout, resume = start, terminate = stop and
 *       delete with purge ({@link PowerControl}); plan change = config update plus root disk growth
 *       ({@link Resizer}); upgrade ({@link Upgrader}); backup and restore through vzdump
 *       ({@link VzdumpBackups}, recorded in the {@link BackupStore}); migrate = restart migration
 *       ({@link RestartMigration}); node capacity ({@link NodeCapacities}); exec over SSH ({@link SshExec}).</li>
 *   <li><b>Waiting</b>: every verb waits for the container's {@code lock} to clear first ({@link Locks}), and
 *       for its tasks to end (on the node in the UPID).</li>
 * </ul>
 * Thread-safe.
 */
public final class ProxmoxLxcProvider implements RuntimeProvider {

    /** The provider kind. */
    public static final String KIND = "proxmox-lxc";
    /** Tag on every container Berth created. */
    public static final String TAG = BerthTags.TAG;
    /** Prefix of the per-instance tag. */
    public static final String INSTANCE_TAG_PREFIX = BerthTags.INSTANCE_TAG_PREFIX;
    /**
     * Prefix of the tag recording a pool address: tags show in {@code /cluster/resources} even for containers on
     * an offline node, whose config cannot be read, so their addresses are never handed out twice.
     */
    public static final String ADDRESS_TAG_PREFIX = BerthTags.ADDRESS_TAG_PREFIX;

    private static final Logger LOG = LoggerFactory.getLogger(ProxmoxLxcProvider.class);

    private final ProxmoxClient client;
    private final GuestConfigurer guest;
    private final ContainerLocator locator;
    private final StatusReader reader;
    private final Inventory inventory;
    private final Provisioner provisioner;
    private final PowerControl power;
    private final Resizer resizer;
    private final Upgrader upgrader;
    private final NodeCapacities capacities;
    private final VzdumpBackups backups;
    private final RestartMigration migration;
    private final LxcLiveResize liveResize = new LxcLiveResize();
    private final SshExec exec;

    /**
     * @param client       the API client
     * @param settings     storage, network, timeouts
     * @param vmids        where VM ids come from
     * @param guest        configures the app inside the container
     * @param sshPublicKey OpenSSH public key line put into every container for {@code guest}
     * @param clock        stamps backup manifests
     */
    public ProxmoxLxcProvider(ProxmoxClient client, ProxmoxLxcSettings settings, VmidAllocator vmids,
                              GuestConfigurer guest, String sshPublicKey, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(vmids, "vmids");
        this.guest = Objects.requireNonNull(guest, "guest");
        Objects.requireNonNull(sshPublicKey, "sshPublicKey");
        Objects.requireNonNull(clock, "clock");
        ContainerApi containers = new ContainerApi(client, settings);
        this.locator = new ContainerLocator(client, containers);
        Locks locks = new Locks(containers, locator, settings.lockWait());
        this.reader = new StatusReader(containers);
        this.inventory = new Inventory(locator, reader);
        this.resizer = new Resizer(settings, containers, locator, locks, reader);
        GuestSetup guestSetup = new GuestSetup(containers, guest);
        this.provisioner = new Provisioner(client, settings, vmids, containers, locator, locks, resizer, guestSetup,
                reader, sshPublicKey);
        this.power = new PowerControl(client, settings, containers, locator, locks);
        this.upgrader = new Upgrader(containers, locator, locks, resizer, guestSetup, reader);
        this.capacities = new NodeCapacities(client, settings.rootfsStorage());
        this.backups = new VzdumpBackups(client, settings, containers, locator, locks, clock);
        this.migration = new RestartMigration(client, settings, containers, locator, locks, reader);
        this.exec = guest instanceof SshGuestConfigurer ssh ? new SshExec(locator, containers, ssh) : null;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public InstanceStatus provision(ProvisionRequest request) {
        return provisioner.provision(request);
    }

    @Override
    public void suspend(String instanceId) {
        power.suspend(instanceId);
    }

    @Override
    public void resume(String instanceId) {
        power.resume(instanceId);
    }

    @Override
    public InstanceStatus changePlan(String instanceId, ResourceLimits limits) {
        return resizer.changePlan(instanceId, limits);
    }

    @Override
    public InstanceStatus upgrade(ProvisionRequest request) {
        return upgrader.upgrade(request);
    }

    @Override
    public InstanceStatus status(String instanceId) {
        return reader.read(locator.require(instanceId));
    }

    /** {@inheritDoc} Containers on an offline node are listed as DEGRADED without limits (their config is unreadable). */
    @Override
    public List<InstanceStatus> inventory() {
        return inventory.list();
    }

    @Override
    public void terminate(String instanceId) {
        power.terminate(instanceId);
    }

    /** {@inheritDoc} From {@code /cluster/resources}: online nodes only; disk is the root-disk storage's. */
    @Override
    public List<NodeCapacity> nodes() {
        return capacities.nodes();
    }

    @Override
    public void testConnection() {
        client.get("version", Map.of());
        client.get("cluster/resources", Map.of("type", "node"));
    }

    /** {@inheritDoc} vzdump backups ({@link VzdumpBackups}). */
    @Override
    public Optional<BackupSupport> backups() {
        return Optional.of(backups);
    }

    /** {@inheritDoc} Restart migration ({@link RestartMigration}). */
    @Override
    public Optional<MigrationSupport> migration() {
        return Optional.of(migration);
    }

    /** {@inheritDoc} CPU and memory of an LXC container change live (cgroup limits); the root disk only grows. */
    @Override
    public Optional<LiveResizeSupport> liveResize() {
        return Optional.of(liveResize);
    }

    /**
     * {@inheritDoc} Over SSH into the container ({@link SshExec}); only with the default
     * {@link SshGuestConfigurer}, since another {@link GuestConfigurer} may not reach the container by SSH.
     */
    @Override
    public Optional<ExecSupport> exec() {
        return Optional.ofNullable(exec);
    }

    @Override
    public void close() {
        client.close();
        if (guest instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing the guest configurer failed", e);
            }
        }
    }
}
