package dev.berth.core.lifecycle;

import dev.berth.core.billing.Entitlement;
import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.node.NodeHealthSettings;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.notify.NotificationSettings;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.NodeEntity;
import dev.berth.core.store.NodeUsageEntity;
import dev.berth.core.store.OperationEntity;
import dev.berth.core.store.PlanEntity;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.notify.Notification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The periodic jobs. Each is a plain method that reads "now" from the engine's clock, so tests drive them
 * with a fake clock; in production db-scheduler runs them on one Berth process at a time. All are idempotent.
 */
public final class LifecycleJobs {

    private static final Logger log = LoggerFactory.getLogger(LifecycleJobs.class);

    private final Engine engine;
    private final Placement placement;
    private final InstanceService instances;
    private final BillingService billing;
    private final Consumer<String> submit;
    private final Notifications notifications;

    LifecycleJobs(Engine engine, Placement placement, InstanceService instances, BillingService billing, Consumer<String> submit) {
        this.notifications = new Notifications(engine);
        this.engine = engine;
        this.placement = placement;
        this.instances = instances;
        this.billing = billing;
        this.submit = submit;
    }

    /**
     * Grace and expiry: an instance in GRACE longer than its plan's grace period is suspended; one whose
     * subscription ENDED (or that is SUSPENDED by billing) is suspended at once, and an ENDED one is terminated,
     * with a final backup, once the plan's retention has passed. Also starts actions billing could not start
     * because another operation was running.
     *
     * @return the operations started
     */
    public List<String> enforceEntitlements() {
        Instant now = engine.clock.instant();
        List<String> started = new ArrayList<>();
        List<String> ids = engine.db.read(em -> em.createQuery(
                "select i.id from InstanceEntity i where i.activeOperation is null and i.state in ('ACTIVE', 'SUSPENDED')", String.class)
                .getResultList());
        for (String id : ids) {
            try {
                OperationEntity op = engine.db.inTransaction(em -> {
                    InstanceEntity i = em.find(InstanceEntity.class, id);
                    if (i.activeOperation != null) return null;
                    Plan plan = PlanService.toPlan(em.find(PlanEntity.class, i.planId));
                    Entitlement e = Entitlement.valueOf(i.entitlement);
                    InstanceState s = InstanceState.valueOf(i.state);
                    if (e == Entitlement.GRACE && s == InstanceState.ACTIVE
                            && !now.isBefore(i.entitlementAt.plus(plan.gracePeriod()))) {
                        return instances.accept(em, id, new OperationParams.Suspend(SuspensionReason.BILLING), InstanceState.ACTIVE);
                    }
                    if (e == Entitlement.ENDED && s == InstanceState.SUSPENDED
                            && !now.isBefore(i.entitlementAt.plus(plan.retention()))) {
                        return instances.acceptTerminate(em, id);
                    }
                    return billing.act(em, i, null);
                });
                if (op != null) {
                    submit.accept(op.id);
                    started.add(op.id);
                }
            } catch (RuntimeException e) {
                log.warn("entitlement check of instance {} failed: {}", id, e.getMessage());
            }
        }
        return started;
    }

    /**
     * Applies backup retention ({@link #enforceBackupRetention()}), then starts a backup for every instance whose
     * plan takes periodic backups and whose newest backup is older than the plan's interval.
     *
     * @return the operations started
     */
    public List<String> runDueBackups() {
        enforceBackupRetention();
        if (engine.backupStore.isEmpty()) return List.of();
        var store = engine.backupStore.get();
        Instant now = engine.clock.instant();
        List<String> started = new ArrayList<>();
        List<InstanceEntity> live = engine.db.read(em -> em.createQuery(
                "select i from InstanceEntity i where i.state in ('ACTIVE', 'SUSPENDED')", InstanceEntity.class).getResultList());
        for (InstanceEntity i : live) {
            Plan plan = PlanService.toPlan(engine.db.read(em -> em.find(PlanEntity.class, i.planId)));
            if (!plan.backupPolicy().enabled()) continue;
            List<BackupManifest> backups = store.list(i.id);
            Instant newest = backups.isEmpty() ? null : backups.get(0).createdAt();
            if (i.activeOperation == null && (newest == null || !newest.plus(plan.backupPolicy().interval()).isAfter(now))) {
                try {
                    started.add(instances.backup(i.id).id());
                } catch (RuntimeException e) {
                    log.info("periodic backup of {} deferred: {}", i.id, e.getMessage());
                }
            }
        }
        return started;
    }

    /**
     * Deletes exactly the expired backups: those older than the retention of their instance's plan. The newest
     * backup of an instance that still exists is never expired (if periodic backups have been failing it is the
     * only copy left); the backups of a terminated instance all expire, the final one included, once the
     * retention has passed. When a terminated instance's last backup is gone, its secrets are deleted too, since
     * nothing can use them any more.
     *
     * @return ids of the deleted backups
     */
    public List<String> enforceBackupRetention() {
        Instant now = engine.clock.instant();
        List<String> deleted = new ArrayList<>();
        List<InstanceEntity> all = engine.db.read(em -> em.createQuery(
                "select i from InstanceEntity i where i.state not in ('PENDING', 'QUEUED')",
                InstanceEntity.class).getResultList());
        for (InstanceEntity i : all) {
            try {
                boolean gone = InstanceState.TERMINATED.name().equals(i.state);
                List<BackupManifest> backups = engine.backupStore.map(s -> s.list(i.id)).orElse(List.of());
                if (!backups.isEmpty()) {
                    Plan plan = PlanService.toPlan(engine.db.read(em -> em.find(PlanEntity.class, i.planId)));
                    Instant cutoff = now.minus(plan.backupPolicy().retention());
                    for (BackupManifest m : backups.subList(gone ? 0 : 1, backups.size())) {
                        if (m.createdAt().isBefore(cutoff)) {
                            engine.backupStore.get().delete(m.backupId());
                            deleted.add(m.backupId());
                        }
                    }
                }
                if (gone) {
                    engine.purgeSecretsWhenUnused(i.id);
                }
            } catch (RuntimeException e) {
                log.warn("backup retention of instance {} failed: {}", i.id, e.getMessage());
            }
        }
        return deleted;
    }

    /**
     * Warns the customer of every instance scheduled for termination (suspended after its subscription ended)
     * that termination is {@link NotificationSettings#terminationWarning()} or less away. Each schedule is warned
     * once, however often the job runs and on however many Berth processes.
     *
     * @return ids of the instances warned by this run
     */
    public List<String> sendTerminationWarnings() {
        if (engine.notifier.isEmpty()) return List.of();
        Instant now = engine.clock.instant();
        List<String> warned = new ArrayList<>();
        List<InstanceEntity> scheduled = engine.db.read(em -> em.createQuery(
                "select i from InstanceEntity i where i.state = 'SUSPENDED' and i.entitlement = 'ENDED'", InstanceEntity.class)
                .getResultList());
        for (InstanceEntity candidate : scheduled) {
            Plan plan = PlanService.toPlan(engine.db.read(em -> em.find(PlanEntity.class, candidate.planId)));
            Instant terminationAt = candidate.entitlementAt.plus(plan.retention());
            if (now.isBefore(terminationAt.minus(engine.notifications.terminationWarning())) || !now.isBefore(terminationAt)) {
                continue;
            }
            try {
                String id = engine.db.inTransaction(em -> notifications.enqueue(em, em.find(InstanceEntity.class, candidate.id),
                        Notification.Type.TERMINATION_WARNING, candidate.entitlementAt.toString(),
                        Map.of("terminationAt", terminationAt.toString(),
                                "terminationDate", DateTimeFormatter.ISO_LOCAL_DATE.format(terminationAt.atZone(ZoneOffset.UTC)))));
                if (id != null) {
                    submit.accept(id);
                    warned.add(candidate.id);
                }
            } catch (RuntimeException e) {
                // a peer process recorded the same warning at the same moment: the unique id keeps it to one
                if (!dev.berth.core.store.Database.isUniqueViolation(e)) {
                    log.warn("termination warning for instance {} failed: {}", candidate.id, e.getMessage());
                }
            }
        }
        return warned;
    }

    /**
     * Asks each runtime for the status of every ACTIVE instance and raises
     * {@link BerthEvent.Type#HEALTH_CHECK_FAILED} for those not running.
     *
     * @return ids of unhealthy instances
     */
    public List<String> checkHealth() {
        List<String> unhealthy = new ArrayList<>();
        List<InstanceEntity> active = engine.db.read(em -> em.createQuery(
                "select i from InstanceEntity i where i.state = 'ACTIVE' and i.activeOperation is null", InstanceEntity.class).getResultList());
        for (InstanceEntity i : active) {
            NodeEntity n = engine.db.read(em -> em.find(NodeEntity.class, i.nodeId));
            String problem;
            try {
                RuntimeState s = engine.providerFor(n).status(i.id).state();
                problem = s == RuntimeState.RUNNING ? null : "runtime reports " + s;
            } catch (RuntimeException e) {
                problem = e.getMessage();
            }
            if (problem != null) {
                unhealthy.add(i.id);
                engine.publish(BerthEvent.Type.HEALTH_CHECK_FAILED, i, problem);
            }
        }
        return unhealthy;
    }

    /**
     * Places queued instances, oldest first, when capacity has appeared (a node added or back online, an instance
     * terminated or moved away): each gets its placement decision in turn, under the node locks, so an older
     * instance always chooses before a younger one; one that still fits nowhere stays queued without holding up
     * younger, smaller ones. Placed instances continue their provision on the workers.
     *
     * @return how many queued instances were placed
     */
    public int placeQueued() {
        List<String> queued = engine.db.read(em -> em.createQuery(
                "select i.id from InstanceEntity i where i.state = 'QUEUED' and i.activeOperation is not null order by i.createdAt, i.id",
                String.class).getResultList());
        int placed = 0;
        for (String id : queued) {
            try {
                List<Runnable> afterCommit = new ArrayList<>();
                String op = engine.db.inTransaction(em -> {
                    InstanceEntity i = em.find(InstanceEntity.class, id);
                    if (!InstanceState.QUEUED.name().equals(i.state) || i.activeOperation == null) return null;
                    OperationEntity o = em.find(OperationEntity.class, i.activeOperation);
                    return placement.place(em, i, o, afterCommit).nodeId() != null ? o.id : null;
                });
                afterCommit.forEach(Runnable::run);
                if (op != null) {
                    submit.accept(op);
                    placed++;
                }
            } catch (RuntimeException e) {
                // a concurrent change to the instance (cancelled, placed by a worker): the next run looks again
                log.info("placing queued instance {} deferred: {}", id, e.getMessage());
            }
        }
        return placed;
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
    public List<String> checkNodes() {
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
        if (backOnline) placeQueued();
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

    /**
     * Schedules every operation still IN_PROGRESS that has no execution (a crash between committing the command
     * and scheduling it). Cheap and idempotent.
     *
     * @return how many operations were (re)submitted
     */
    public int sweepOperations() {
        List<String> ops = engine.db.read(em -> em.createQuery(
                "select o.id from OperationEntity o, InstanceEntity i where o.instanceId = i.id and o.status = :s and i.state <> 'QUEUED'",
                String.class).setParameter("s", OperationStatus.IN_PROGRESS.name()).getResultList());
        ops.forEach(submit);
        return ops.size();
    }
}
