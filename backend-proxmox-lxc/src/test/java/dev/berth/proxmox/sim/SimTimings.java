package dev.berth.proxmox.sim;

import java.time.Duration;
import java.util.Map;

/**
 * How long each simulated task runs, by Proxmox task type ({@code vzcreate}, {@code vzstart}, …).
 *
 * @param byType   duration per task type
 * @param fallback duration of any other type
 */
public record SimTimings(Map<String, Duration> byType, Duration fallback) {

    public SimTimings {
        byType = Map.copyOf(byType);
    }

    /** Short durations for tests: tasks are visibly asynchronous (running, then stopped) but fast. */
    public static SimTimings fast() {
        return uniform(Duration.ofMillis(60));
    }

    /** Every task takes {@code d}. */
    public static SimTimings uniform(Duration d) {
        return new SimTimings(Map.of(), d);
    }

    /**
     * Durations of a small real cluster on local LVM-thin storage: creating from a compressed Debian template
     * takes seconds, starting a container a second or two, vzdump of a small root file system a few seconds.
     * {@code scale} multiplies them all (0.1 = ten times faster) so benchmarks keep the ratios but run shorter.
     */
    public static SimTimings realistic(double scale) {
        Map<String, Duration> base = Map.ofEntries(
                Map.entry("vzcreate", Duration.ofMillis(9000)),
                Map.entry("vzclone", Duration.ofMillis(4000)),
                Map.entry("vzstart", Duration.ofMillis(1800)),
                Map.entry("vzshutdown", Duration.ofMillis(3000)),
                Map.entry("vzstop", Duration.ofMillis(1000)),
                Map.entry("vzdestroy", Duration.ofMillis(1500)),
                Map.entry("vzmigrate", Duration.ofMillis(12000)),
                Map.entry("resize", Duration.ofMillis(1500)),
                Map.entry("vzdump", Duration.ofMillis(6000)),
                Map.entry("vzrestore", Duration.ofMillis(8000)),
                Map.entry("imgdel", Duration.ofMillis(300)));
        Map<String, Duration> scaled = new java.util.HashMap<>();
        base.forEach((k, v) -> scaled.put(k, Duration.ofMillis(Math.max(1, Math.round(v.toMillis() * scale)))));
        return new SimTimings(scaled, Duration.ofMillis(Math.max(1, Math.round(1000 * scale))));
    }

    /** The duration of a task of {@code type}. */
    public Duration of(String type) {
        return byType.getOrDefault(type, fallback);
    }
}
