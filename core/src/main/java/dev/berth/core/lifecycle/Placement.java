package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.placement.MigrationPlanner;
import dev.berth.core.placement.NodeLoad;
import dev.berth.core.placement.PlacementDecision;
import dev.berth.core.placement.PlacementRequest;
import dev.berth.core.placement.PlacementStrategies;
import dev.berth.core.placement.PlacementStrategy;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.OperationEntity;
import dev.berth.core.store.PlanEntity;
import dev.berth.core.node.Node;
import dev.berth.core.placement.NodeFilters;
import dev.berth.core.placement.PlacementStats;
import jakarta.persistence.EntityManager;
import org.hibernate.Session;

import java.sql.Connection;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's placement: which strategy a plan uses, the request an instance makes, and the decision that picks a
 * node from this process's snapshot of the fleet and binds the instance to it under that one node's lock. Shared by the PLACE step, the queue and the capacity/migration answers,
 * so that all of them decide the same way.
 */
final class Placement {

    /** Fleet reads one placement may do before it trusts what it has (other threads load and invalidate too). */
    private static final int MAX_LOADS = 3;

    private final Engine engine;
    private final FleetSnapshot snapshot;
    private final AtomicLong placed = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong snapshotLoads = new AtomicLong();

    Placement(Engine engine) {
        this.engine = engine;
        this.snapshot = new FleetSnapshot(engine.clock, FleetSnapshot.TTL);
    }

    /**
     * The plan's strategy: the one it names, or the configured (global) one; with anti-affinity when the plan asks
     * for it. Anti-affinity is an option of the built-in strategies; a custom global strategy is used as it is.
     */
    PlacementStrategy strategyFor(Plan plan) {
        PlacementStrategy global = engine.placement;
        String name = plan.placementStrategy() == null ? global.name() : plan.placementStrategy();
        if (name.equals(global.name()) && !plan.antiAffinity()) {
            return global;
        }
        if (!PlacementStrategies.names().contains(name)) {
            return global;
        }
        return PlacementStrategies.byName(name, plan.antiAffinity());
    }

    PlacementRequest request(InstanceEntity i, Plan plan) {
        return new PlacementRequest(i.id, i.tenantId, null, Allocation.demand(plan), plan.isolation(),
                i.requiredLabels == null ? Map.of() : i.requiredLabels);
    }

    /** {@link #place(EntityManager, InstanceEntity, OperationEntity, List, long)} for a placement starting now. */
    PlacementDecision place(EntityManager em, InstanceEntity i, OperationEntity op, List<Runnable> afterCommit) {
        return place(em, i, op, afterCommit, System.nanoTime());
    }

    /**
     * Decides where {@code i} goes and records it, inside the caller's transaction, the way kube-scheduler assumes
     * then binds: the plan's strategy picks a node from the {@link FleetSnapshot} (no lock), then only that node's
     * row is locked and its load read again; if the instance no longer fits there (another process placed first, the
     * node was drained), the snapshot learns the node's real load and the next-best node is tried. Placed → the
     * instance is PROVISIONING on its node; nothing fits in a fleet read after {@code since} → QUEUED with the
     * reason per node (and the {@link BerthEvent.Type#INSTANCE_QUEUED} event, after commit, the first time).
     *
     * <p>Each attempt runs in a savepoint that is rolled back when the node is refused, which releases that node's
     * lock: a placement never waits for a lock while holding another node's, so it cannot deadlock with another
     * placement or with the fleet-wide locks of migrations (taken in id order).
     *
     * @param afterCommit where to put work that must wait for the commit (the event)
     * @param since       a {@link System#nanoTime()}: "nothing fits" is only concluded from a fleet read after it
     */
    PlacementDecision place(EntityManager em, InstanceEntity i, OperationEntity op, List<Runnable> afterCommit, long since) {
        Plan plan = PlanService.toPlan(em.find(PlanEntity.class, i.planId));
        PlacementRequest request = request(i, plan);
        PlacementStrategy strategy = strategyFor(plan);
        // another worker may have placed it since the caller read it (the queue job and a resubmitted operation)
        em.refresh(i);
        if (i.nodeId != null) {
            return PlacementDecision.placed(i.nodeId);
        }
        Map<String, String> refused = new TreeMap<>(); // node → why, as re-read under its lock
        Set<String> busy = new HashSet<>();             // nodes another transaction held when tried
        boolean fleetInContext = false;
        boolean wait = false;
        int loads = 0;
        while (true) {
            if (snapshot.expired()) {
                fleetInContext |= reload(em);
                loads++;
            }
            Set<String> excluded = new HashSet<>(refused.keySet());
            excluded.addAll(busy);
            PlacementDecision decision = strategy.place(request, snapshot.candidates(i.tenantId, excluded));
            if (decision.nodeId() == null) {
                if (!busy.isEmpty()) {
                    busy.clear(); // the nodes others were placing on: now wait for them (holding no other lock)
                    wait = true;
                    continue;
                }
                // an older view may miss room freed since: look again first (a bounded number of times, other threads
                // may invalidate or load concurrently)
                if ((snapshot.expired() || snapshot.loadedBefore(since)) && loads < MAX_LOADS) {
                    fleetInContext |= reload(em);
                    loads++;
                    refused.clear();
                    continue;
                }
                queue(i, decision, refused, afterCommit);
                return decision;
            }
            String nodeId = decision.nodeId();
            snapshot.assume(nodeId, i.tenantId, request.demand());
            Bind result = bind(em, i, op, request, nodeId, fleetInContext || refused.containsKey(nodeId), !wait);
            if (result instanceof Bind.Placed) {
                placed.incrementAndGet();
                return decision;
            } else if (result instanceof Bind.Refused r) {
                conflicts.incrementAndGet();
                refused.put(nodeId, r.why());
            } else {
                busy.add(nodeId);
            }
        }
    }

    /** How binding an instance to the chosen node went. */
    private sealed interface Bind {
        record Placed() implements Bind { }

        /** Another transaction holds the node's lock (only when not waiting for it). */
        record Busy() implements Bind { }

        /** The node, re-read under its lock, cannot take the instance. */
        record Refused(String why) implements Bind { }
    }

    /**
     * Locks {@code nodeId} (without waiting when {@code skipLocked}: a node another placement holds is left to it,
     * so that processes whose snapshots agree do not queue up behind one row), re-reads its load and, when the
     * instance still fits, records the placement; otherwise rolls the attempt back, releasing the lock.
     */
    private Bind bind(EntityManager em, InstanceEntity i, OperationEntity op, PlacementRequest request, String nodeId,
                      boolean inContext, boolean skipLocked) {
        em.flush(); // the savepoint must not roll back the caller's pending changes
        Savepoint savepoint = em.unwrap(Session.class).doReturningWork(Connection::setSavepoint);
        Node node = Allocation.lock(em, nodeId, inContext, skipLocked);
        if (node == null && skipLocked && !inContext) {
            rollback(em, savepoint);
            return new Bind.Busy(); // or gone: waiting for it next time tells
        }
        if (node == null || !engine.providers.containsKey(node.providerKind())) {
            rollback(em, savepoint);
            snapshot.invalidate();
            return new Bind.Refused("node is gone");
        }
        NodeLoad load = Allocation.load(em, node);
        Optional<String> why = NodeFilters.rejection(request, load.candidate(i.tenantId));
        if (why.isPresent()) {
            rollback(em, savepoint);
            snapshot.update(load);
            return new Bind.Refused(why.get());
        }
        // still under the lock: later placements on this node, in any thread, read it after this one
        snapshot.update(load.plus(i.tenantId, request.demand()));
        i.nodeId = nodeId;
        i.state = InstanceState.PROVISIONING.name();
        i.stateReason = null;
        i.updatedAt = engine.clock.instant();
        // recorded on the provision: from here on a runtime resource may exist
        OperationEntity o = em.find(OperationEntity.class, op.id);
        o.params = new OperationParams.Provision(true).toMap();
        op.params = o.params;
        return new Bind.Placed();
    }

    private static void rollback(EntityManager em, Savepoint savepoint) {
        em.unwrap(Session.class).doWork(c -> c.rollback(savepoint));
    }

    /** Reads the whole fleet (no locks) into the snapshot; true: its node rows are now in {@code em}'s context. */
    private boolean reload(EntityManager em) {
        long readAt = System.nanoTime();
        snapshot.load(Allocation.fleet(em, engine.providers.keySet(), false), readAt);
        snapshotLoads.incrementAndGet();
        return true;
    }

    private void queue(InstanceEntity i, PlacementDecision decision, Map<String, String> refused, List<Runnable> afterCommit) {
        queued.incrementAndGet();
        // the nodes refused under their lock are not in the decision's list: their reasons come from the re-read
        Map<String, String> reasons = new TreeMap<>(decision.rejections());
        if (!refused.isEmpty()) reasons.remove("*");
        reasons.putAll(refused);
        boolean newlyQueued = !InstanceState.QUEUED.name().equals(i.state);
        i.state = InstanceState.QUEUED.name();
        i.stateReason = Engine.truncate("no node has room: " + MigrationPlanner.reasons(PlacementDecision.unplaceable(reasons)));
        i.updatedAt = engine.clock.instant();
        if (newlyQueued) {
            String reason = i.stateReason;
            afterCommit.add(() -> engine.publish(BerthEvent.Type.INSTANCE_QUEUED, i, reason));
        }
    }

    /** Makes the next placement read the whole fleet (capacity was freed or nodes changed in this process). */
    void invalidateSnapshot() {
        snapshot.invalidate();
    }

    /** How this process's placements went (see {@link PlacementStats}). */
    PlacementStats stats() {
        return new PlacementStats(placed.get(), queued.get(), conflicts.get(), snapshotLoads.get());
    }

    /**
     * Where the live instances of {@code nodeId} would go (see {@link MigrationPlanner}). With {@code lock}, the
     * node rows stay locked until the caller's transaction ends (to act on the plan).
     */
    MigrationPlanner.Plan migrationPlan(EntityManager em, String nodeId, boolean lock) {
        List<NodeLoad> fleet = Allocation.fleet(em, engine.providers.keySet(), lock);
        List<InstanceEntity> live = em.createQuery("select i from InstanceEntity i where i.nodeId = :n"
                        + " and i.targetNodeId is null and i.state not in ('TERMINATED', 'FAILED') order by i.createdAt, i.id", InstanceEntity.class)
                .setParameter("n", nodeId).getResultList();
        List<MigrationPlanner.Item> items = new ArrayList<>();
        for (InstanceEntity i : live) {
            Plan plan = PlanService.toPlan(em.find(PlanEntity.class, i.planId));
            items.add(new MigrationPlanner.Item(request(i, plan), strategyFor(plan)));
        }
        return MigrationPlanner.plan(nodeId, items, fleet);
    }
}
