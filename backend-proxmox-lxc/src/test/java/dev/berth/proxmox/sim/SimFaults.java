package dev.berth.proxmox.sim;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Faults a test arms on a {@link ProxmoxSimulator}; each reproduces a failure mode of real clusters (see
 * {@code shared/reference/proxmox-api.md} §5). Thread-safe; every armed fault fires a counted number of times.
 */
public final class SimFaults {

    private final Map<String, Deque<String>> failingTasks = new HashMap<>();
    private final Map<String, Integer> dispatchFailures = new HashMap<>();
    private final Map<String, String> dispatchFailureText = new HashMap<>();
    private final Map<String, Integer> warnings = new HashMap<>();
    private int nextidRaces;
    private Duration handlerLatency = Duration.ZERO;

    /**
     * The next task of {@code type} is accepted (200 + UPID) and then ends with {@code TASK ERROR: message}.
     * A failed {@code vzcreate} removes the container's config again, as Proxmox does.
     */
    public synchronized SimFaults failNextTask(String type, String message) {
        failingTasks.computeIfAbsent(type, k -> new ArrayDeque<>()).add(message);
        return this;
    }

    /** The next task of {@code type} succeeds with {@code WARNINGS: count} (a success in Proxmox). */
    public synchronized SimFaults warnNextTask(String type, int count) {
        warnings.put(type, count);
        return this;
    }

    /**
     * The next {@code times} requests that would start a task of {@code type} are answered
     * {@code 500 <text>} before anything starts, e.g. {@code got no worker upid - start worker failed}.
     */
    public synchronized SimFaults failDispatch(String type, int times, String text) {
        dispatchFailures.merge(type, times, Integer::sum);
        dispatchFailureText.put(type, text);
        return this;
    }

    /**
     * The next {@code times} container creations lose a race: just before the request, another client
     * creates a (foreign) container with the same vmid, so the create fails with "already exists".
     */
    public synchronized SimFaults nextidRace(int times) {
        nextidRaces += times;
        return this;
    }

    /** Every protected (pvedaemon) request holds one of the node's workers this long. */
    public synchronized SimFaults handlerLatency(Duration latency) {
        this.handlerLatency = latency;
        return this;
    }

    synchronized String takeTaskFailure(String type) {
        Deque<String> q = failingTasks.get(type);
        return q == null ? null : q.poll();
    }

    synchronized Integer takeWarnings(String type) {
        return warnings.remove(type);
    }

    synchronized String takeDispatchFailure(String type) {
        Integer n = dispatchFailures.get(type);
        if (n == null || n == 0) {
            return null;
        }
        dispatchFailures.put(type, n - 1);
        return dispatchFailureText.get(type);
    }

    synchronized boolean takeNextidRace() {
        if (nextidRaces == 0) {
            return false;
        }
        nextidRaces--;
        return true;
    }

    synchronized Duration handlerLatency() {
        return handlerLatency;
    }
}
