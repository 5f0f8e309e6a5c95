package dev.berth.proxmox.migration;

import dev.berth.proxmox.client.ProxmoxClient;
import dev.berth.proxmox.container.Located;
import dev.berth.proxmox.inventory.ContainerApi;
import dev.berth.proxmox.inventory.ContainerLocator;
import dev.berth.proxmox.inventory.Locks;
import dev.berth.proxmox.inventory.StatusReader;
import dev.berth.proxmox.lxc.ProxmoxLxcSettings;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.MigrationSupport;
import dev.berth.spi.NodeRef;
import dev.berth.spi.error.InvalidSpecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The provider's {@link MigrationSupport}: restart migration (LXC has no live migration), so a running container
 * stops, moves and starts again on the target node; a stopped one just moves.
 */
public final class RestartMigration implements MigrationSupport {

    private static final Logger LOG = LoggerFactory.getLogger(RestartMigration.class);

    private final ProxmoxClient client;
    private final ProxmoxLxcSettings settings;
    private final ContainerApi containers;
    private final ContainerLocator locator;
    private final Locks locks;
    private final StatusReader reader;

    /**
     * @param client     the API client
     * @param settings   shutdown and long-task timeouts
     * @param containers container calls
     * @param locator    finds the instance's container
     * @param locks      waits for its lock to clear
     * @param reader     reads the status on the target
     */
    public RestartMigration(ProxmoxClient client, ProxmoxLxcSettings settings, ContainerApi containers,
                            ContainerLocator locator, Locks locks, StatusReader reader) {
        this.client = client;
        this.settings = settings;
        this.containers = containers;
        this.locator = locator;
        this.locks = locks;
        this.reader = reader;
    }

    /** {@inheritDoc} Restart migration (LXC has no live migration): the container stops, moves and starts again. */
    @Override
    public InstanceStatus migrate(String instanceId, NodeRef target) {
        Objects.requireNonNull(target, "target");
        if (target.target() == null || target.target().isBlank()) {
            throw new InvalidSpecException("target.target", "is required");
        }
        Located ct = locks.awaitUnlocked(locator.require(instanceId));
        if (ct.node().equals(target.target())) {
            return reader.read(ct);
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("target", target.target());
        if (containers.isRunning(ct)) {
            p.put("restart", true);
            p.put("timeout", settings.shutdownTimeout().toSeconds());
        }
        client.awaitTask(client.startTask("POST", ct.path("migrate"), p), settings.longTaskTimeout());
        Located moved = new Located(target.target(), ct.vmid(), instanceId);
        LOG.info("migrated CT {} of {} from {} to {}", ct.vmid(), instanceId, ct.node(), target.target());
        return reader.read(moved);
    }
}
