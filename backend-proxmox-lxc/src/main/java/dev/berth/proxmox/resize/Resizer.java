package dev.berth.proxmox.resize;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.proxmox.container.BerthMetadata;
import dev.berth.proxmox.container.Located;
import dev.berth.proxmox.container.LxcSizing;
import dev.berth.proxmox.inventory.ContainerApi;
import dev.berth.proxmox.inventory.ContainerLocator;
import dev.berth.proxmox.inventory.Locks;
import dev.berth.proxmox.inventory.StatusReader;
import dev.berth.proxmox.lxc.ProxmoxLxcSettings;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.error.InvalidSpecException;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Brings a container to a plan's limits: changed CPU and memory keys in one config update (cgroup limits, live),
 * the memory request in Berth's metadata, and the root disk grown. Proxmox cannot shrink a root disk, so a plan
 * change that would need it is refused before anything changes.
 */
public final class Resizer {

    private final ProxmoxLxcSettings settings;
    private final ContainerApi containers;
    private final ContainerLocator locator;
    private final Locks locks;
    private final StatusReader reader;

    /**
     * @param settings   swap and task timeout
     * @param containers container calls
     * @param locator    finds the instance's container
     * @param locks      waits for its lock to clear
     * @param reader     reads the resulting status
     */
    public Resizer(ProxmoxLxcSettings settings, ContainerApi containers, ContainerLocator locator, Locks locks,
                   StatusReader reader) {
        this.settings = settings;
        this.containers = containers;
        this.locator = locator;
        this.locks = locks;
        this.reader = reader;
    }

    /** The plan change of {@link dev.berth.spi.RuntimeProvider#changePlan}: new limits, no restart. */
    public InstanceStatus changePlan(String instanceId, ResourceLimits limits) {
        if (limits == null) {
            throw new InvalidSpecException("limits", "is required");
        }
        LxcSizing.validate(limits);
        Located ct = locks.awaitUnlocked(locator.require(instanceId));
        JsonNode config = containers.config(ct);
        applyLimits(ct, config, BerthMetadata.of(config), limits, true);
        return reader.read(ct);
    }

    /**
     * Applies {@code limits} to the container whose current {@code config} and metadata are given; only keys
     * that differ are written.
     *
     * @param refuseShrink fail (before any change) when the plan's disk is smaller than the root disk; when
     *                     false a smaller disk is left as it is
     */
    public void applyLimits(Located ct, JsonNode config, BerthMetadata meta, ResourceLimits limits, boolean refuseShrink) {
        long currentDisk = LxcSizing.rootfsBytes(config.path("rootfs").asText(""));
        if (limits.diskBytes() < currentDisk) {
            if (refuseShrink) {
                throw new InvalidSpecException("limits.diskBytes", "Proxmox cannot shrink a container's root disk: it has "
                        + currentDisk / ResourceLimits.GIB + " GiB, the plan asks for " + limits.diskBytes() / ResourceLimits.GIB
                        + " GiB; nothing was changed");
            }
        }
        Map<String, Object> wanted = LxcSizing.cpuAndMemory(limits, settings.swapMib());
        Map<String, Object> changes = new LinkedHashMap<>();
        wanted.forEach((k, v) -> {
            if (!sameValue(config.get(k), v)) {
                changes.put(k, v);
            }
        });
        long requestMib = limits.memoryRequestBytes() / ResourceLimits.MIB;
        if (meta.memoryRequestMib() != requestMib) {
            changes.put("description", meta.withMemoryRequestMib(requestMib).render());
        }
        if (!changes.isEmpty()) {
            containers.put(ct, changes);
        }
        if (limits.diskBytes() > currentDisk) {
            growDisk(ct, config, limits);
        }
    }

    /** Grows the root disk to the plan's size when it is smaller. */
    public void growDisk(Located ct, JsonNode config, ResourceLimits limits) {
        if (limits.diskBytes() > LxcSizing.rootfsBytes(config.path("rootfs").asText(""))) {
            containers.run(ct, "PUT", "resize", Map.of("disk", "rootfs", "size", LxcSizing.diskGib(limits) + "G"),
                    settings.taskTimeout());
        }
    }

    /** Numbers compare by value ("1.50" is 1.5), so an unchanged plan writes nothing. */
    private static boolean sameValue(JsonNode current, Object wanted) {
        if (current == null || current.isNull()) {
            return false;
        }
        try {
            return new BigDecimal(current.asText()).compareTo(new BigDecimal(wanted.toString())) == 0;
        } catch (NumberFormatException e) {
            return current.asText().equals(wanted.toString());
        }
    }
}
