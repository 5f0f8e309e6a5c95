package dev.berth.spi;

import java.util.List;

/**
 * Capability: the runtime can list the instances of one target alone (a Docker host, a Proxmox node), so that the
 * reconciler asks each target separately and one unreachable target does not hide the others. Runtimes whose targets
 * answer only together (one cluster API) do not offer it; the reconciler then calls
 * {@link RuntimeProvider#inventory()} once.
 */
public interface TargetInventorySupport {

    /**
     * What {@link RuntimeProvider#inventory()} returns for the instances held on {@code target}.
     *
     * @throws dev.berth.spi.error.UnavailableException if that target cannot be reached
     * @throws dev.berth.spi.error.InvalidSpecException if the provider has no such target
     */
    List<InstanceStatus> inventory(String target);
}
