package dev.berth.proxmox.create;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.proxmox.client.ProxmoxClient;
import dev.berth.proxmox.container.BerthMetadata;
import dev.berth.proxmox.container.Located;
import dev.berth.proxmox.inventory.ContainerApi;
import dev.berth.proxmox.inventory.ContainerLocator;
import dev.berth.proxmox.inventory.Locks;
import dev.berth.proxmox.inventory.StatusReader;
import dev.berth.proxmox.lxc.ProxmoxLxcSettings;
import dev.berth.proxmox.lxc.VmidAllocator;
import dev.berth.proxmox.resize.Resizer;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.ProvisionRequest;

/**
 * Provisioning, idempotent: the instance's container is found by its tag or created, brought to the plan's
 * limits, started, and the app configured inside it.
 */
public final class Provisioner {

    private final ContainerCreator creator;
    private final ContainerApi containers;
    private final ContainerLocator locator;
    private final Locks locks;
    private final Resizer resizer;
    private final GuestSetup guest;
    private final StatusReader reader;

    /**
     * @param client       the API client
     * @param settings     storage, network, timeouts
     * @param vmids        where VM ids come from
     * @param containers   container calls
     * @param locator      finds existing containers, VM ids and addresses in use
     * @param locks        waits for a container's lock to clear
     * @param resizer      applies the plan's limits
     * @param guest        configures the app inside the container
     * @param reader       reads the resulting status
     * @param sshPublicKey OpenSSH public key line put into every container
     */
    public Provisioner(ProxmoxClient client, ProxmoxLxcSettings settings, VmidAllocator vmids, ContainerApi containers,
                       ContainerLocator locator, Locks locks, Resizer resizer, GuestSetup guest, StatusReader reader,
                       String sshPublicKey) {
        this.creator = new ContainerCreator(client, settings, vmids, containers, locator, resizer, sshPublicKey);
        this.containers = containers;
        this.locator = locator;
        this.locks = locks;
        this.resizer = resizer;
        this.guest = guest;
        this.reader = reader;
    }

    /** Finds or creates the container, sizes and starts it, configures the app; returns its status. */
    public InstanceStatus provision(ProvisionRequest request) {
        Requests.validate(request);
        Located ct = locator.locate(request.instanceId()).orElseGet(() -> creator.create(request));
        ct = locks.awaitUnlocked(ct);
        JsonNode config = containers.config(ct);
        BerthMetadata meta = BerthMetadata.of(config);
        resizer.applyLimits(ct, config, meta, request.resources(), false);
        if (!containers.isRunning(ct)) {
            containers.start(ct);
        }
        guest.configure(ct, request, false);
        return reader.read(ct);
    }
}
