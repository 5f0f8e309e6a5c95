package dev.berth.proxmox.create;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.proxmox.container.BerthMetadata;
import dev.berth.proxmox.container.Located;
import dev.berth.proxmox.guest.GuestConfig;
import dev.berth.proxmox.guest.GuestConfigurer;
import dev.berth.proxmox.guest.GuestTarget;
import dev.berth.proxmox.inventory.ContainerApi;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.error.UnavailableException;

import java.util.ArrayList;
import java.util.List;

/**
 * Configures the app inside a running container through the {@link GuestConfigurer} (env files with the
 * secrets, service restarts), because the Proxmox API cannot run commands in a container.
 */
public final class GuestSetup {

    private final ContainerApi containers;
    private final GuestConfigurer guest;

    /**
     * @param containers reads the container's config and address
     * @param guest      reaches into the container
     */
    public GuestSetup(ContainerApi containers, GuestConfigurer guest) {
        this.containers = containers;
        this.guest = guest;
    }

    /**
     * Writes the request's env files into the container and restarts the services whose file changed, or all
     * of them when {@code restartAll} (a new version).
     *
     * @throws UnavailableException when the container has no IPv4 address yet
     */
    public void configure(Located ct, ProvisionRequest r, boolean restartAll) {
        JsonNode config = containers.config(ct);
        BerthMetadata meta = BerthMetadata.of(config);
        String address = containers.address(ct, config)
                .orElseThrow(() -> new UnavailableException("CT " + ct.vmid() + " has no IPv4 address yet"));
        List<GuestConfig.Service> services = new ArrayList<>();
        for (ComponentSpec c : r.components()) {
            services.add(new GuestConfig.Service(c.name(), c.env(), c.secretEnv()));
        }
        guest.configure(new GuestTarget(r.instanceId(), ct.vmid(), ct.node(), address, meta.hostKeys()),
                new GuestConfig(r.appVersion(), services, restartAll));
    }
}
