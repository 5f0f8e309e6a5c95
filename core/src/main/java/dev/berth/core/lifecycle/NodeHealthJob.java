package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.node.NodeHealthSettings;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.store.NodeEntity;
import dev.berth.core.store.NodeUsageEntity;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.RuntimeProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Node health and usage: samples each node, takes failing nodes OFFLINE and back, raises usage alarms. */
final class NodeHealthJob {

    private static final Logger log = LoggerFactory.getLogger(NodeHealthJob.class);

    private final Engine engine;
    /** Drains the queue when a node comes back: its room is free again. */
    private final Runnable nodeBackOnline;

    NodeHealthJob(Engine engine, Runnable nodeBackOnline) {
        this.engine = engine;
        this.nodeBackOnline = nodeBackOnline;
    }

    /**
     * The node health and usage job. Asks each provider for its targets ({@link RuntimeProvider#nodes()}) and, per
     * registered node: records a usage sample (kept for {@link NodeHealthSettings#usageRetention()}); counts
     * consecutive failed checks (provider unreachable, target missing or reported unhealthy) and sets an ONLINE node
     * OFFLINE after {@link NodeHealthSettings#failuresBeforeOffline()} of them ({@link BerthEvent.Type#NODE_OFFLINE});
     * brings a node it set OFFLINE back ONLINE when it passes again ({@link BerthEvent.Type#NODE_ONLINE}, and the
     * queue is drained); raises {@link BerthEvent.Type#NODE_USAGE_HIGH} when a resource crosses its threshold.
     * Nodes in MAINTENANCE are sampled but never alarmed or changed.
     *
     * @return ids of the nodes whose check failed this time
     */
    List<String> run() {
        NodeHealthSettings rules = engine.settings.nodeHealth();
        Instant now = engine.clock.instant();
        Map<String, Map<String, NodeCapacity>> byKind = new HashMap<>();
        Map<String, String> kindErrors = new HashMap<>();
        for (Map.Entry<String, RuntimeProvider> p : engine.providers.entrySet()) {
            try {
                Map<String, NodeCapacity> targets = new HashMap<>();
                for (NodeCapacity nc : p.getValue().nodes()) targets.put(nc.target(), nc);
                byKind.put(p.getKey(), targets);
            } catch (RuntimeException e) {
                kindErrors.put(p.getKey(), "provider " + p.getKey() + " unreachable: " + e.getMessage());
            }
        }
        List<String> failed = new ArrayList<>();
        List<BerthEvent> events = new ArrayList<>();
        boolean backOnline = false;
        List<String> nodeIds = engine.db.read(em -> em.createQuery("select n.id from NodeEntity n order by n.id", String.class).getResultList());
        for (String nodeId : nodeIds) {
            try {
                backOnline |= engine.db.inTransaction(em -> {
                    NodeEntity n = em.find(NodeEntity.class, nodeId);
                    if (n == null || !engine.providers.containsKey(n.providerKind)) return false;
                    NodeCapacity nc = byKind.getOrDefault(n.providerKind, Map.of()).get(n.target);
                    String problem = kindErrors.get(n.providerKind);
                    if (problem == null && nc == null) problem = "target " + n.target + " not reported by provider " + n.providerKind;
                    if (problem == null && !nc.healthy()) problem = "provider reports target " + n.target + " unhealthy";
                    boolean maintenance = NodeStatus.MAINTENANCE.name().equals(n.status);
                    NodeUsageEntity sample = new NodeUsageEntity();
                    sample.nodeId = n.id;
                    sample.observedAt = now;
                    sample.healthy = problem == null;
                    if (problem == null) {
                        sample.cpuUsedMillis = nc.usedCpuMillis();
                        sample.memoryUsedBytes = nc.usedMemoryBytes();
                        sample.diskUsedBytes = nc.usedDiskBytes();
                    }
                    sample.instanceCount = nc != null && nc.instanceCount() >= 0 ? nc.instanceCount() : liveInstances(em, n.id);
                    NodeUsageEntity previous = em.createQuery("select u from NodeUsageEntity u where u.nodeId = :n"
                                    + " order by u.observedAt desc", NodeUsageEntity.class)
                            .setParameter("n", n.id).setMaxResults(1).getResultStream().findFirst().orElse(null);
                    if (em.find(NodeUsageEntity.class, new NodeUsageEntity.Key(n.id, now)) == null) em.persist(sample);
                    if (problem != null) {
                        failed.add(n.id);
                        n.healthFailures++;
                        if (!maintenance && n.healthFailures == rules.failuresBeforeOffline()) {
                            if (NodeStatus.ONLINE.name().equals(n.status)) {
                                n.status = NodeStatus.OFFLINE.name();
                                n.statusReason = Engine.truncate("health: " + problem);
                            }
                            events.add(nodeEvent(BerthEvent.Type.NODE_OFFLINE, now, n.id, "failed " + n.healthFailures
                                    + " consecutive health checks, now " + n.status + ": " + problem));
                        }
                        return false;
                    }
                    n.healthFailures = 0;
                    boolean recovered = NodeStatus.OFFLINE.name().equals(n.status) && n.statusReason != null
                            && n.statusReason.startsWith("health: ");
                    if (recovered) {
                        n.status = NodeStatus.ONLINE.name();
                        n.statusReason = "health checks pass again";
                        events.add(nodeEvent(BerthEvent.Type.NODE_ONLINE, now, n.id, "passes its health checks again"));
                    }
                    if (!maintenance) {
                        thresholds(n, nc, previous, rules, now, events);
                    }
                    return recovered;
                });
            } catch (RuntimeException e) {
                log.warn("health check of node {} failed: {}", nodeId, e.getMessage());
            }
        }
        engine.db.run(em -> em.createQuery("delete from NodeUsageEntity u where u.observedAt < :t")
                .setParameter("t", now.minus(rules.usageRetention())).executeUpdate());
        events.forEach(engine.events::publish);
        if (backOnline) nodeBackOnline.run();
        return failed;
    }

    /** Raises a usage event for each resource that crossed its threshold since the previous sample. */
    private static void thresholds(NodeEntity n, NodeCapacity nc, NodeUsageEntity previous, NodeHealthSettings rules,
                                   Instant now, List<BerthEvent> events) {
        String[] names = {"cpu", "memory", "disk"};
        long[] used = {nc.usedCpuMillis(), nc.usedMemoryBytes(), nc.usedDiskBytes()};
        long[] before = previous == null || !previous.healthy ? new long[3]
                : new long[] {previous.cpuUsedMillis, previous.memoryUsedBytes, previous.diskUsedBytes};
        // thresholds are fractions of the physical size the runtime reports, falling back to the registered one
        long[] total = {nc.cpuMillis() > 0 ? nc.cpuMillis() : n.cpuMillis, nc.memoryBytes() > 0 ? nc.memoryBytes() : n.memoryBytes,
                nc.diskBytes() > 0 ? nc.diskBytes() : n.diskBytes};
        double[] limit = {rules.cpuThreshold(), rules.memoryThreshold(), rules.diskThreshold()};
        for (int k = 0; k < 3; k++) {
            if (total[k] <= 0) continue;
            double fraction = (double) used[k] / total[k];
            boolean wasBelow = (double) before[k] / total[k] < limit[k];
            if (fraction >= limit[k] && wasBelow) {
                events.add(nodeEvent(BerthEvent.Type.NODE_USAGE_HIGH, now, n.id, String.format(java.util.Locale.ROOT,
                        "%s at %.0f%% (threshold %.0f%%)", names[k], fraction * 100, limit[k] * 100)));
            }
        }
    }

    private static BerthEvent nodeEvent(BerthEvent.Type type, Instant at, String nodeId, String detail) {
        return new BerthEvent(type, null, null, at, "node " + nodeId + " " + detail);
    }

    private static int liveInstances(jakarta.persistence.EntityManager em, String nodeId) {
        return em.createQuery("select count(i) from InstanceEntity i where i.nodeId = :n and i.state not in ('TERMINATED', 'FAILED')", Long.class)
                .setParameter("n", nodeId).getSingleResult().intValue();
    }
}
