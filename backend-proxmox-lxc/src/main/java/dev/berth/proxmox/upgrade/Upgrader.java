package dev.berth.proxmox.upgrade;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.proxmox.container.BerthMetadata;
import dev.berth.proxmox.container.Located;
import dev.berth.proxmox.create.GuestSetup;
import dev.berth.proxmox.create.Requests;
import dev.berth.proxmox.inventory.ContainerApi;
import dev.berth.proxmox.inventory.ContainerLocator;
import dev.berth.proxmox.inventory.Locks;
import dev.berth.proxmox.inventory.StatusReader;
import dev.berth.proxmox.resize.Resizer;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.ProvisionRequest;

import java.util.Map;

/**
 * Upgrades an instance in place: the plan's limits (a disk that would shrink is refused), the app's env files,
 * and for a new version a restart of every service; the new version is recorded in Berth's metadata only once
 * the guest is configured, so a failed upgrade is retried as an upgrade.
 */
public final class Upgrader {

    private final ContainerApi containers;
    private final ContainerLocator locator;
    private final Locks locks;
    private final Resizer resizer;
    private final GuestSetup guest;
    private final StatusReader reader;

    /**
     * @param containers container calls
     * @param locator    finds the instance's container
     * @param locks      waits for its lock to clear
     * @param resizer    applies the plan's limits
     * @param guest      configures the app inside the container
     * @param reader     reads the resulting status
     */
    public Upgrader(ContainerApi containers, ContainerLocator locator, Locks locks, Resizer resizer, GuestSetup guest,
                    StatusReader reader) {
        this.containers = containers;
        this.locator = locator;
        this.locks = locks;
        this.resizer = resizer;
        this.guest = guest;
        this.reader = reader;
    }

    /** The upgrade of {@link dev.berth.spi.RuntimeProvider#upgrade}. */
    public InstanceStatus upgrade(ProvisionRequest request) {
        Requests.validate(request);
        Located ct = locks.awaitUnlocked(locator.require(request.instanceId()));
        JsonNode config = containers.config(ct);
        BerthMetadata meta = BerthMetadata.of(config);
        resizer.applyLimits(ct, config, meta, request.resources(), true);
        boolean newVersion = !request.appVersion().equals(meta.appVersion());
        if (!containers.isRunning(ct)) {
            containers.start(ct);
        }
        guest.configure(ct, request, newVersion);
        if (newVersion) {
            BerthMetadata current = BerthMetadata.of(containers.config(ct));
            containers.put(ct, Map.of("description", current.withVersion(request.appVersion()).render()));
        }
        return reader.read(ct);
    }
}
