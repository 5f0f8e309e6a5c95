package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.PlanEntity;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.error.ConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares what Berth's database wants with what each runtime holds, and has every difference it can fix repaired
 * by a REPAIR operation: it holds the instance like any command, so it never races a suspension, a termination or
 * another call to the runtime for that instance, and it acts on the instance as it is when it runs (see
 * {@link RepairRecipe}). An instance the runtime lost is handled as the {@link LostInstancePolicy} says; a runtime
 * object Berth does not know is reported, never deleted. Obtained from {@code Berth.reconciler()}.
 */
public final class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    /**
     * One difference between desired and observed state.
     *
     * @param repairOperation the REPAIR operation started for it (see {@code Berth.operations()}), or null when
     *                        none was: reported only, or the instance was busy with another operation (the next
     *                        pass looks again)
     */
    public record Drift(Kind kind, String instanceId, String detail, String repairOperation) {
        /** Kinds of drift. */
        public enum Kind {
            /** Berth expects it, the runtime does not have it. */
            MISSING,
            /** The runtime has it, Berth does not know it (or it is terminated). */
            ORPHAN,
            /** Running where it should be stopped, or the reverse. */
            STATE,
            /** Limits on the runtime differ from the plan. */
            LIMITS,
            /** A runtime target could not list its instances; its instances were not compared this pass. */
            UNREACHABLE
        }

        /** True when a REPAIR operation was started for it; it is repaired once that operation succeeds. */
        public boolean repaired() {
            return repairOperation != null;
        }
    }

    private final Engine engine;
    private final InstanceService instances;
    private final LostInstancePolicy onLost;

    Reconciler(Engine engine, InstanceService instances, LostInstancePolicy onLost) {
        this.engine = engine;
        this.instances = instances;
        this.onLost = onLost == null ? LostInstancePolicy.REPORT : onLost;
    }

    /** The operator's policy for instances a runtime lost. */
    public LostInstancePolicy lostInstancePolicy() {
        return onLost;
    }

    /**
     * One pass over every provider: one inventory call per target (per provider when it cannot list one target
     * alone), no call per instance. Instances with an operation in flight are left alone. A target that cannot be
     * listed is reported as {@link Drift.Kind#UNREACHABLE} and the others are reconciled.
     *
     * @return the drifts seen; the repairs run as operations after this returns
     */
    public List<Drift> reconcile() {
        Desired desired = engine.db.read(em -> new Desired(
                em.createQuery("select i.id, i.state, i.planId, i.activeOperation, i.stateReason, n.providerKind, n.target"
                        + " from InstanceEntity i, NodeEntity n where i.nodeId = n.id", Object[].class).getResultList(),
                em.createQuery("select distinct n.providerKind, n.target from NodeEntity n", Object[].class).getResultList(),
                em.createQuery("select p from PlanEntity p", PlanEntity.class).getResultList()));
        List<Drift> drifts = new ArrayList<>();
        for (Map.Entry<String, RuntimeProvider> entry : engine.providers.entrySet()) {
            String kind = entry.getKey();
            RuntimeInventory observed = RuntimeInventory.of(entry.getValue(), desired.targets(kind));
            observed.failures().forEach((asked, e) -> drifts.add(unreachable(kind, asked, e)));
            for (Wanted i : desired.instances(kind)) {
                compare(i, observed, desired.limits(i.planId()), drifts);
            }
            for (InstanceStatus s : observed.instances().values()) {
                Wanted i = desired.instance(kind, s.instanceId());
                if (i == null || i.state() == InstanceState.TERMINATED) {
                    Drift d = new Drift(Drift.Kind.ORPHAN, s.instanceId(), "runtime " + kind + " holds an instance Berth does not run", null);
                    log.warn("drift {}: {}", d.kind(), d);
                    engine.events.publish(new BerthEvent(BerthEvent.Type.DRIFT_DETECTED, s.instanceId(), null, engine.clock.instant(), d.detail()));
                    drifts.add(d);
                }
            }
        }
        return drifts;
    }

    private void compare(Wanted i, RuntimeInventory observed, ResourceLimits limits, List<Drift> drifts) {
        if (i.activeOperation() != null || (i.state() != InstanceState.ACTIVE && i.state() != InstanceState.SUSPENDED)
                || observed.unreachable().contains(i.target())) {
            return; // busy, not expected to run, or its target did not answer: looked at again next pass
        }
        InstanceStatus s = observed.instances().get(i.id());
        if (s == null) {
            if (i.stateReason() != null && i.stateReason().startsWith(RepairRecipe.LOST)) {
                drifts.add(new Drift(Drift.Kind.MISSING, i.id(), "still lost, reported before: " + i.stateReason(), null));
                return; // the operator has heard of it once; a message every pass helps nobody
            }
            drifts.add(repair(i, Drift.Kind.MISSING, EnumSet.of(Drift.Kind.MISSING),
                    "runtime does not hold it; policy " + onLost));
            return;
        }
        Set<Drift.Kind> seen = EnumSet.noneOf(Drift.Kind.class);
        List<String> details = new ArrayList<>();
        if (i.state() == InstanceState.ACTIVE && s.state() == RuntimeState.STOPPED) {
            seen.add(Drift.Kind.STATE);
            details.add("stopped while ACTIVE");
        } else if (i.state() == InstanceState.SUSPENDED && s.state() == RuntimeState.RUNNING) {
            seen.add(Drift.Kind.STATE);
            details.add("running while SUSPENDED");
        }
        if (s.appliedLimits() != null && limits != null && !s.appliedLimits().equals(limits)) {
            seen.add(Drift.Kind.LIMITS);
            details.add("limits " + s.appliedLimits() + " instead of " + limits);
        }
        if (seen.isEmpty()) {
            return;
        }
        Drift first = repair(i, seen.iterator().next(), seen, String.join("; ", details));
        // one operation repairs them all; each kind is still reported on its own
        for (Drift.Kind k : seen) {
            drifts.add(new Drift(k, first.instanceId(), first.detail(), first.repairOperation()));
        }
    }

    /** Accepts a REPAIR of {@code i}, unless another operation holds it now (then the next pass looks again). */
    private Drift repair(Wanted i, Drift.Kind kind, Set<Drift.Kind> seen, String detail) {
        var params = new OperationParams.Repair(seen, onLost, null);
        try {
            var op = instances.command(i.id(), em -> instances.accept(em, i.id(), params,
                    InstanceState.ACTIVE, InstanceState.SUSPENDED));
            log.info("drift {} on instance {} ({}): repair {} started", seen, i.id(), detail, op.id());
            return new Drift(kind, i.id(), detail, op.id());
        } catch (ConflictException e) {
            // changed since the snapshot: another operation holds it, or (an IllegalTransitionException, which is a
            // ConflictException) it is no longer expected to run
            log.debug("drift {} on instance {} not repaired this pass: {}", seen, i.id(), e.getMessage());
            return new Drift(kind, i.id(), detail + " (not repaired this pass: " + e.getMessage() + ")", null);
        }
    }

    private Drift unreachable(String kind, String asked, RuntimeException e) {
        String detail = "runtime " + kind + " (" + asked + ") could not list its instances: " + e.getMessage();
        log.warn("reconcile: {}", detail);
        engine.events.publish(new BerthEvent(BerthEvent.Type.DRIFT_DETECTED, null, null, engine.clock.instant(), detail));
        return new Drift(Drift.Kind.UNREACHABLE, null, detail, null);
    }

    /** An instance as the database wants it, read once per pass. */
    private record Wanted(String id, InstanceState state, String planId, String activeOperation, String stateReason,
                          String kind, String target) { }

    /** Everything a pass compares against, from three queries. */
    private static final class Desired {
        private final Map<String, Map<String, Wanted>> byKind = new HashMap<>();
        private final Map<String, Set<String>> targets = new HashMap<>();
        private final Map<String, ResourceLimits> limits = new HashMap<>();

        Desired(List<Object[]> instances, List<Object[]> nodes, List<PlanEntity> plans) {
            for (Object[] r : instances) {
                Wanted w = new Wanted((String) r[0], InstanceState.valueOf((String) r[1]), (String) r[2], (String) r[3],
                        (String) r[4], (String) r[5], (String) r[6]);
                byKind.computeIfAbsent(w.kind(), k -> new HashMap<>()).put(w.id(), w);
            }
            for (Object[] n : nodes) {
                targets.computeIfAbsent((String) n[0], k -> new java.util.TreeSet<>()).add((String) n[1]);
            }
            for (PlanEntity p : plans) {
                limits.put(p.id, PlanService.toPlan(p).resources());
            }
        }

        Set<String> targets(String kind) {
            return targets.getOrDefault(kind, Set.of());
        }

        Iterable<Wanted> instances(String kind) {
            return byKind.getOrDefault(kind, Map.of()).values();
        }

        Wanted instance(String kind, String id) {
            return byKind.getOrDefault(kind, Map.of()).get(id);
        }

        ResourceLimits limits(String planId) {
            return limits.get(planId);
        }
    }
}
