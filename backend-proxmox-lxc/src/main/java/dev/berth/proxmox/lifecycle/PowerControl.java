package dev.berth.proxmox.lifecycle;

import dev.berth.proxmox.client.ProxmoxClient;
import dev.berth.proxmox.client.TaskFailedException;
import dev.berth.proxmox.client.Upid;
import dev.berth.proxmox.container.Located;
import dev.berth.proxmox.inventory.ContainerApi;
import dev.berth.proxmox.inventory.ContainerLocator;
import dev.berth.proxmox.inventory.Locks;
import dev.berth.proxmox.lxc.ProxmoxLxcSettings;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;

/**
 * Suspend, resume and terminate. Each is idempotent: a container that is already in the wanted state, or was
 * stopped or deleted by someone else meanwhile, is success.
 */
public final class PowerControl {

    private static final Logger LOG = LoggerFactory.getLogger(PowerControl.class);

    private final ProxmoxClient client;
    private final ProxmoxLxcSettings settings;
    private final ContainerApi containers;
    private final ContainerLocator locator;
    private final Locks locks;

    /**
     * @param client     the API client
     * @param settings   shutdown and task timeouts
     * @param containers container calls
     * @param locator    finds the instance's container
     * @param locks      waits for its lock to clear
     */
    public PowerControl(ProxmoxClient client, ProxmoxLxcSettings settings, ContainerApi containers,
                        ContainerLocator locator, Locks locks) {
        this.client = client;
        this.settings = settings;
        this.containers = containers;
        this.locator = locator;
        this.locks = locks;
    }

    /** A clean shutdown, then a stop when the shutdown timeout passes or the shutdown fails. */
    public void suspend(String instanceId) {
        Located ct = locks.awaitUnlocked(locator.require(instanceId));
        if (!containers.isRunning(ct)) {
            return;
        }
        try {
            containers.run(ct, "POST", "status/shutdown", Map.of("timeout", settings.shutdownTimeout().toSeconds()),
                    settings.shutdownTimeout().plus(settings.taskTimeout()));
        } catch (TaskFailedException e) {
            LOG.info("CT {} did not shut down cleanly ({}); stopping it", ct.vmid(), e.exitStatus());
        } catch (BerthException e) {
            if (!ContainerApi.notRunning(e)) {
                throw e;
            }
        }
        if (containers.isRunning(ct)) {
            try {
                containers.run(ct, "POST", "status/stop", Map.of("overrule-shutdown", true), settings.taskTimeout());
            } catch (BerthException e) {
                if (!ContainerApi.notRunning(e)) {
                    throw e;
                }
            }
        }
    }

    /** Starts the container unless it runs. */
    public void resume(String instanceId) {
        Located ct = locks.awaitUnlocked(locator.require(instanceId));
        if (!containers.isRunning(ct)) {
            containers.start(ct);
        }
    }

    /** Stops the container and deletes it with its disks and from every job ({@code purge}). */
    public void terminate(String instanceId) {
        Optional<Located> found = locator.locate(instanceId);
        if (found.isEmpty()) {
            return;
        }
        Located ct = found.get();
        try {
            ct = locks.awaitUnlocked(ct);
            if (containers.isRunning(ct)) {
                try {
                    containers.run(ct, "POST", "status/stop", Map.of(), settings.taskTimeout());
                } catch (BerthException e) {
                    if (!ContainerApi.notRunning(e)) {
                        throw e;
                    }
                }
            }
            Upid upid = client.startTask("DELETE", ct.path(""), Map.of("purge", true, "destroy-unreferenced-disks", true));
            client.awaitTask(upid, settings.taskTimeout());
            LOG.info("deleted CT {} on {} (instance {})", ct.vmid(), ct.node(), instanceId);
        } catch (NotFoundException alreadyGone) {
            // deleted by someone else meanwhile: the outcome terminate promises
        }
    }
}
