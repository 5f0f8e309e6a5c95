package dev.berth.proxmox.lxc;

import dev.berth.proxmox.network.AddressPool;
import dev.berth.spi.error.InvalidSpecException;

import java.time.Duration;

/**
 * How the LXC provider uses the cluster.
 *
 * @param rootfsStorage   storage for container root disks ({@code local-lvm})
 * @param backupStorage   storage vzdump writes to; shared storage lets a restore run on any node
 * @param bridge          bridge of {@code net0} ({@code vmbr0})
 * @param addressPool     addresses Berth assigns, or null for DHCP on the bridge
 * @param swapMib         swap per container (0: the plan's memory limit is hard)
 * @param features        LXC {@code features} value ({@code nesting=1} for systemd in unprivileged CTs), or null
 * @param taskTimeout     how long a create/clone/start/stop/delete task may run
 * @param longTaskTimeout how long vzdump, restore and migrate may run
 * @param lockWait        how long to wait for a container's {@code lock} (backup, migrate, …) to clear
 * @param shutdownTimeout how long a clean shutdown may take before the container is stopped
 * @param createAttempts  fresh VM ids tried when a create loses a race ("already exists")
 */
public record ProxmoxLxcSettings(String rootfsStorage, String backupStorage, String bridge, AddressPool addressPool,
                                 int swapMib, String features, Duration taskTimeout, Duration longTaskTimeout,
                                 Duration lockWait, Duration shutdownTimeout, int createAttempts) {

    public ProxmoxLxcSettings {
        require("storage.rootfs", rootfsStorage);
        require("storage.backup", backupStorage);
        require("network.bridge", bridge);
        if (swapMib < 0) {
            throw new InvalidSpecException("swapMib", "must not be negative");
        }
        if (createAttempts < 1) {
            throw new InvalidSpecException("createAttempts", "must be at least 1");
        }
    }

    /** {@code local-lvm} root disks, backups to {@code local}, {@code vmbr0} with DHCP, no swap, nesting on. */
    public static ProxmoxLxcSettings defaults() {
        return new ProxmoxLxcSettings("local-lvm", "local", "vmbr0", null, 0, "nesting=1", Duration.ofMinutes(10),
                Duration.ofHours(2), Duration.ofMinutes(10), Duration.ofSeconds(60), 5);
    }

    public ProxmoxLxcSettings withStorage(String rootfs, String backup) {
        return new ProxmoxLxcSettings(rootfs, backup, bridge, addressPool, swapMib, features, taskTimeout,
                longTaskTimeout, lockWait, shutdownTimeout, createAttempts);
    }

    public ProxmoxLxcSettings withNetwork(String bridge, AddressPool pool) {
        return new ProxmoxLxcSettings(rootfsStorage, backupStorage, bridge, pool, swapMib, features, taskTimeout,
                longTaskTimeout, lockWait, shutdownTimeout, createAttempts);
    }

    public ProxmoxLxcSettings withTimeouts(Duration task, Duration longTask, Duration lock, Duration shutdown) {
        return new ProxmoxLxcSettings(rootfsStorage, backupStorage, bridge, addressPool, swapMib, features, task,
                longTask, lock, shutdown, createAttempts);
    }

    private static void require(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidSpecException(field, "is required");
        }
    }
}
