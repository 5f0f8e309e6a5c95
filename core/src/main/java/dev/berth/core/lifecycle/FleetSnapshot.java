package dev.berth.core.lifecycle;

import dev.berth.core.placement.NodeCandidate;
import dev.berth.core.placement.NodeLoad;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fleet as this process last saw it, so that a placement decides without reading (or locking) every node: each
 * node with its load, its candidate as a tenant-less placement sees it, and which nodes hold each tenant (for
 * anti-affinity). The decision it gives is a guess that the caller confirms under the chosen node's lock (see
 * {@link Placement}), so being out of date costs a retry, never an overfilled node.
 *
 * <p>It is loaded again when older than its time to live on the engine clock, after {@link #invalidate()} (capacity
 * freed or nodes changed in this process: the queue job calls it), and whenever a placement is about to conclude
 * that nothing fits from a load older than the placement itself. In between it follows this process's own
 * placements and every node a placement re-read under lock, so it only lags behind other processes' changes to
 * nodes it has not touched since.
 *
 * <p>Thread-safe: the state is guarded by this object's monitor; a decision works on its own copy of the list.
 */
final class FleetSnapshot {

    /** How long a load is trusted; other processes' placements meanwhile only show up as conflicts. */
    static final Duration TTL = Duration.ofSeconds(2);

    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Integer> index = new HashMap<>();
    private final List<NodeLoad> loads = new ArrayList<>();
    /** loads.get(k).candidate(null), made once: most nodes hold nothing of the tenant being placed. */
    private final List<NodeCandidate> anonymous = new ArrayList<>();
    private final Map<String, Set<Integer>> nodesByTenant = new HashMap<>();
    private Instant loadedAt;
    private long loadedNanos;
    private boolean stale = true;

    FleetSnapshot(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    /** Whether the fleet must be read again before deciding: never loaded, invalidated, or older than its time to live. */
    synchronized boolean expired() {
        return stale || !clock.instant().isBefore(loadedAt.plus(ttl));
    }

    /** Whether the fleet was read before {@code moment} (a {@link System#nanoTime()}). */
    synchronized boolean loadedBefore(long moment) {
        return loadedNanos - moment < 0;
    }

    /** Replaces everything with {@code fleet}, read from the database when {@code readAt} ({@link System#nanoTime()}). */
    synchronized void load(List<NodeLoad> fleet, long readAt) {
        index.clear();
        loads.clear();
        anonymous.clear();
        nodesByTenant.clear();
        for (NodeLoad n : fleet) {
            int k = loads.size();
            index.put(n.node().id(), k);
            loads.add(n);
            anonymous.add(n.candidate(null));
            n.tenantCounts().keySet().forEach(t -> nodesByTenant.computeIfAbsent(t, x -> new HashSet<>()).add(k));
        }
        loadedAt = clock.instant();
        loadedNanos = readAt;
        stale = false;
    }

    /** Makes the next placement read the fleet again. */
    synchronized void invalidate() {
        stale = true;
    }

    /** Every node as {@code tenantId}'s placement sees it, except {@code excluded}, in node id order. */
    synchronized List<NodeCandidate> candidates(String tenantId, Set<String> excluded) {
        List<NodeCandidate> out = new ArrayList<>(anonymous);
        Set<Integer> tenantNodes = tenantId == null ? null : nodesByTenant.get(tenantId);
        if (tenantNodes != null) {
            for (int k : tenantNodes) out.set(k, loads.get(k).candidate(tenantId));
        }
        if (!excluded.isEmpty()) {
            out.removeIf(c -> excluded.contains(c.node().id()));
        }
        return out;
    }

    /** What is known of one node now: its load read under its lock, possibly with a placement added. */
    synchronized void update(NodeLoad fresh) {
        Integer k = index.get(fresh.node().id());
        if (k == null) {
            stale = true; // a node this load does not know: read them all again
            return;
        }
        for (String t : loads.get(k).tenantCounts().keySet()) {
            Set<Integer> nodes = nodesByTenant.get(t);
            if (nodes != null && nodes.remove(k) && nodes.isEmpty()) nodesByTenant.remove(t);
        }
        fresh.tenantCounts().keySet().forEach(t -> nodesByTenant.computeIfAbsent(t, x -> new HashSet<>()).add(k));
        loads.set(k, fresh);
        anonymous.set(k, fresh.candidate(null));
    }

    /**
     * Counts a placement on {@code nodeId} before it is confirmed (kube-scheduler's "assume"), so that this process's
     * other threads look elsewhere meanwhile; the confirmation or refusal replaces it with the node's real load.
     */
    synchronized void assume(String nodeId, String tenantId, dev.berth.core.node.Capacity demand) {
        Integer k = index.get(nodeId);
        if (k != null) update(loads.get(k).plus(tenantId, demand));
    }

    /** The node's load as last known, or null. */
    synchronized NodeLoad get(String nodeId) {
        Integer k = index.get(nodeId);
        return k == null ? null : loads.get(k);
    }
}
