package dev.berth.proxmox.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.proxmox.container.BerthMetadata;
import dev.berth.proxmox.container.Located;
import dev.berth.proxmox.container.LxcSizing;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.RuntimeState;

import java.util.Optional;

/**
 * Reads an {@link InstanceStatus} from a container: state from {@code status/current} (a {@code create} lock
 * is STARTING), version and limits from its config and Berth's metadata, and the HTTP endpoint of a running
 * container from its address.
 */
public final class StatusReader {

    private final ContainerApi containers;

    /** @param containers the container calls */
    public StatusReader(ContainerApi containers) {
        this.containers = containers;
    }

    /** The status of the container, for the instance named in its metadata. */
    public InstanceStatus read(Located ct) {
        JsonNode config = containers.config(ct);
        return read(ct, config, BerthMetadata.of(config).instanceId());
    }

    /** The status of the container, for {@code instanceId} (found by its tag). */
    public InstanceStatus read(Located ct, String instanceId) {
        return read(ct, containers.config(ct), instanceId);
    }

    private InstanceStatus read(Located ct, JsonNode config, String instanceId) {
        BerthMetadata meta = BerthMetadata.of(config);
        JsonNode current = containers.current(ct);
        boolean running = "running".equals(current.path("status").asText());
        String lock = current.path("lock").asText("");
        RuntimeState state = "create".equals(lock) ? RuntimeState.STARTING : running ? RuntimeState.RUNNING : RuntimeState.STOPPED;
        String endpoint = null;
        if (running) {
            Optional<String> address = containers.address(ct, config);
            if (address.isPresent() && meta.httpPort() > 0) {
                endpoint = address.get() + ":" + meta.httpPort();
            }
        }
        return new InstanceStatus(instanceId, ct.node(), state, meta.appVersion(), LxcSizing.readBack(config, meta), endpoint);
    }
}
