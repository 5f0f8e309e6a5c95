package dev.berth.proxmox.container;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.error.InvalidSpecException;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a plan's {@link ResourceLimits} map onto an LXC config, and back:
 * <ul>
 *   <li>CPU limit → {@code cores} = limit rounded up to whole cores, {@code cpulimit} = limit in cores
 *       (fractions allowed, so 1500m is 2 cores capped at 1.5);</li>
 *   <li>CPU request → {@code cpuunits} = the request in millicores (the scheduler weight, proportional to the
 *       request as Kubernetes does with cpu.weight);</li>
 *   <li>memory limit → {@code memory} in MiB; {@code swap} is the configured swap (default 0: the limit is hard);</li>
 *   <li>memory request → LXC has no reservation, so it is kept in Berth's metadata in the description (it is
 *       what placement counts);</li>
 *   <li>disk → {@code rootfs} size in GiB.</li>
 * </ul>
 * Memory must be whole MiB and disk whole GiB, because that is what Proxmox stores; anything else is refused
 * rather than silently rounded.
 */
public final class LxcSizing {

    private static final Pattern SIZE = Pattern.compile("(?:^|,)size=(\\d+(?:\\.\\d+)?)([KMGT])?(?:,|$)");

    private LxcSizing() {
    }

    /** Rejects limits Proxmox cannot represent exactly. */
    public static void validate(ResourceLimits limits) {
        if (limits.memoryLimitBytes() % ResourceLimits.MIB != 0) {
            throw new InvalidSpecException("resources.memoryLimitBytes", "Proxmox sets memory in whole MiB");
        }
        if (limits.memoryLimitBytes() < 16 * ResourceLimits.MIB) {
            throw new InvalidSpecException("resources.memoryLimitBytes", "Proxmox needs at least 16 MiB for a container");
        }
        if (limits.memoryRequestBytes() % ResourceLimits.MIB != 0) {
            throw new InvalidSpecException("resources.memoryRequestBytes", "must be whole MiB");
        }
        if (limits.diskBytes() % ResourceLimits.GIB != 0) {
            throw new InvalidSpecException("resources.diskBytes", "Proxmox allocates container disks in whole GiB");
        }
        if (limits.cpuRequestMillis() > 500_000) {
            throw new InvalidSpecException("resources.cpuRequestMillis", "cpuunits allows at most 500000");
        }
    }

    /** The CPU and memory keys of the config (not rootfs). */
    public static Map<String, Object> cpuAndMemory(ResourceLimits limits, int swapMib) {
        Map<String, Object> c = new LinkedHashMap<>();
        long cores = (limits.cpuLimitMillis() + 999) / 1000;
        c.put("cores", cores);
        c.put("cpulimit", BigDecimal.valueOf(limits.cpuLimitMillis(), 3).stripTrailingZeros().toPlainString());
        c.put("cpuunits", limits.cpuRequestMillis());
        c.put("memory", limits.memoryLimitBytes() / ResourceLimits.MIB);
        c.put("swap", swapMib);
        return c;
    }

    /** Whole GiB of the plan's disk. */
    public static long diskGib(ResourceLimits limits) {
        return limits.diskBytes() / ResourceLimits.GIB;
    }

    /** Reads the limits back from a container config and Berth's metadata; null when the config lacks them. */
    public static ResourceLimits readBack(JsonNode config, BerthMetadata meta) {
        long cores = config.path("cores").asLong(0);
        double cpulimit = config.path("cpulimit").asDouble(0);
        long cpuLimit = cpulimit > 0 ? Math.round(cpulimit * 1000) : cores * 1000;
        long cpuRequest = config.path("cpuunits").asLong(0);
        long memory = config.path("memory").asLong(512) * ResourceLimits.MIB;
        long memoryRequest = meta.memoryRequestMib() > 0 ? meta.memoryRequestMib() * ResourceLimits.MIB : memory;
        long disk = rootfsBytes(config.path("rootfs").asText(""));
        if (cpuLimit <= 0 || cpuRequest <= 0 || disk <= 0) {
            return null;
        }
        return new ResourceLimits(Math.min(cpuRequest, cpuLimit), cpuLimit, Math.min(memoryRequest, memory), memory, disk);
    }

    /** The {@code size=} of a rootfs property string in bytes, 0 when absent. */
    public static long rootfsBytes(String rootfs) {
        Matcher m = SIZE.matcher(rootfs);
        if (!m.find()) {
            return 0;
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        long factor = switch (unit) {
            case "K" -> 1024L;
            case "M" -> ResourceLimits.MIB;
            case "G" -> ResourceLimits.GIB;
            case "T" -> 1024L * ResourceLimits.GIB;
            default -> 1L;
        };
        return Math.round(v * factor);
    }
}
