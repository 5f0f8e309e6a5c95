package dev.berth.docker.create;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.host.DockerLabels;
import dev.berth.spi.SecretValue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches an instance's containers while readiness is awaited, so that a component that exits or crash-loops
 * fails the step in seconds with its reason ({@link ComponentFailedException}) instead of after the readiness
 * timeout. Looks at most every {@link #INTERVAL_NANOS} (the probe polls much faster). Not thread-safe: one wait.
 */
final class CrashWatch {

    /** Restarts tolerated while waiting: some apps restart once on their first boot. */
    static final int MAX_RESTARTS = 2;
    /** Log lines quoted in the error, each cut to {@link #MAX_LINE_CHARS}. */
    static final int LOG_LINES = 5;
    static final int MAX_LINE_CHARS = 300;
    private static final long INTERVAL_NANOS = 500_000_000L;

    private final DockerHost host;
    private final List<String> containerIds;
    private final Map<String, Integer> baseline = new HashMap<>();
    private long lastCheck;
    private boolean checked;

    CrashWatch(DockerHost host, List<String> containerIds) {
        this.host = host;
        this.containerIds = List.copyOf(containerIds);
    }

    /** Throws {@link ComponentFailedException} when one of the containers failed; looks only when due. */
    void check() {
        long now = System.nanoTime();
        if (checked && now - lastCheck < INTERVAL_NANOS) return;
        checked = true;
        lastCheck = now;
        for (String id : containerIds) {
            InspectContainerResponse c = host.inspect(id);
            int restarts = c.getRestartCount() == null ? 0 : c.getRestartCount();
            // counts from before this wait (an old crash before a resume) are not this start's fault
            int grown = restarts - baseline.computeIfAbsent(id, k -> restarts);
            String why = failure(c, grown);
            if (why != null) {
                throw new ComponentFailedException(describe(c) + " " + why + lastLines(id, secrets(c)));
            }
        }
    }

    /** Why the container counts as failed, or null while it may still become ready. */
    static String failure(InspectContainerResponse c, int restartsWhileWaiting) {
        var s = c.getState();
        if (s == null) return null;
        String code = s.getExitCodeLong() == null ? "?" : Long.toString(s.getExitCodeLong());
        if (Boolean.TRUE.equals(s.getOOMKilled()) && (restartsWhileWaiting > 0 || !Boolean.TRUE.equals(s.getRunning())
                || Boolean.TRUE.equals(s.getRestarting()))) {
            return "was killed for lack of memory (exit code " + code + ", " + restartsWhileWaiting + " restarts)";
        }
        if ("exited".equals(s.getStatus()) || "dead".equals(s.getStatus())) {
            return "exited with code " + code;
        }
        if (restartsWhileWaiting > MAX_RESTARTS) {
            return "keeps restarting (" + restartsWhileWaiting + " restarts while waiting for it to become ready, last exit code "
                    + code + ")";
        }
        return null;
    }

    private static String describe(InspectContainerResponse c) {
        return "component " + DockerLabels.read(c, DockerLabels.COMPONENT, "?") + " of instance "
                + DockerLabels.read(c, DockerLabels.INSTANCE, "?");
    }

    /** The secret values Berth put in the container's env (the keys are listed in its labels). */
    private static List<String> secrets(InspectContainerResponse c) {
        return InstanceSpec.fromContainers(List.of(c)).components().get(0).secretEnv().values().stream()
                .map(SecretValue::reveal).toList();
    }

    private String lastLines(String id, List<String> secrets) {
        List<String> lines;
        try {
            lines = host.logs(id, LOG_LINES);
        } catch (RuntimeException e) {
            return "; its log cannot be read (" + e.getClass().getSimpleName() + ")";
        }
        return lines.isEmpty() ? "; its log is empty" : "; last log lines: " + String.join(" | ", quote(lines, secrets));
    }

    /** The lines with every secret masked (before cutting, so that no part of one survives), each bounded. */
    static List<String> quote(List<String> lines, List<String> secrets) {
        List<String> sorted = new ArrayList<>(secrets.stream().filter(s -> !s.isEmpty()).toList());
        sorted.sort(Comparator.comparingInt(String::length).reversed()); // a secret inside another is masked whole
        List<String> out = new ArrayList<>();
        for (String line : lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size())) {
            String masked = line;
            for (String s : sorted) {
                masked = masked.replace(s, "****");
            }
            masked = masked.replaceAll("\\p{Cntrl}", " ").strip();
            out.add(masked.length() <= MAX_LINE_CHARS ? masked : masked.substring(0, MAX_LINE_CHARS) + "…");
        }
        return out;
    }
}
