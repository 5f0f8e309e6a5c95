package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.PlanEntity;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares what Berth's database wants with what each runtime holds, repairs what it safely can (start a stopped
 * ACTIVE instance, stop a running SUSPENDED one, re-apply a plan's limits, provision again an instance the runtime
 * lost) and reports the rest (a runtime object Berth does not know). Never deletes anything it did not create for a known,
 * terminated instance. Obtained from {@code Berth.reconciler()}.
 */
public final class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    /** One difference between desired and observed state. */
    public record Drift(Kind kind, String instanceId, String detail, boolean repaired) {
        /** Kinds of drift. */
        public enum Kind {
            /** Berth expects it, the runtime does not have it. */
            MISSING,
            /** The runtime has it, Berth does not know it (or it is terminated). */
            ORPHAN,
            /** Running where it should be stopped, or the reverse. */
            STATE,
            /** Limits on the runtime differ from the plan. */
            LIMITS
        }
    }

    private final Engine engine;

    Reconciler(Engine engine) {
        this.engine = engine;
    }

    /** One pass over every provider. Instances with an operation in flight are left alone. */
    public List<Drift> reconcile() {
        List<Drift> drifts = new ArrayList<>();
        for (Map.Entry<String, RuntimeProvider> entry : engine.providers.entrySet()) {
            String kind = entry.getKey();
            RuntimeProvider provider = entry.getValue();
            Map<String, InstanceStatus> observed = new HashMap<>();
            for (InstanceStatus s : provider.inventory()) observed.put(s.instanceId(), s);
            List<InstanceEntity> expected = engine.db.read(em -> em.createQuery(
                    "select i from InstanceEntity i, NodeEntity n where i.nodeId = n.id and n.providerKind = :k", InstanceEntity.class)
                    .setParameter("k", kind).getResultList());
            Map<String, InstanceEntity> known = new HashMap<>();
            for (InstanceEntity i : expected) known.put(i.id, i);

            for (InstanceEntity i : expected) {
                InstanceState state = InstanceState.valueOf(i.state);
                if (i.activeOperation != null || (state != InstanceState.ACTIVE && state != InstanceState.SUSPENDED)) continue;
                InstanceStatus s = observed.get(i.id);
                if (s == null) {
                    drifts.add(recreate(provider, i, state, kind));
                    continue;
                }
                drifts.addAll(repair(provider, i, state, s));
            }
            for (InstanceStatus s : observed.values()) {
                InstanceEntity i = known.get(s.instanceId());
                if (i == null || InstanceState.valueOf(i.state) == InstanceState.TERMINATED) {
                    Drift d = new Drift(Drift.Kind.ORPHAN, s.instanceId(), "runtime " + kind + " holds an instance Berth does not run", false);
                    log.warn("drift {}: {}", d.kind(), d);
                    engine.events.publish(new BerthEvent(BerthEvent.Type.DRIFT_DETECTED, s.instanceId(), null, engine.clock.instant(), d.detail()));
                    drifts.add(d);
                }
            }
        }
        return drifts;
    }

    private List<Drift> repair(RuntimeProvider provider, InstanceEntity i, InstanceState state, InstanceStatus s) {
        List<Drift> out = new ArrayList<>();
        try {
            if (state == InstanceState.ACTIVE && s.state() == RuntimeState.STOPPED) {
                provider.resume(i.id);
                out.add(repaired(i, Drift.Kind.STATE, "was stopped, started again"));
            } else if (state == InstanceState.SUSPENDED && s.state() == RuntimeState.RUNNING) {
                provider.suspend(i.id);
                out.add(repaired(i, Drift.Kind.STATE, "was running while suspended, stopped again"));
            }
            Plan plan = PlanService.toPlan(engine.db.read(em -> em.find(PlanEntity.class, i.planId)));
            if (s.appliedLimits() != null && !s.appliedLimits().equals(plan.resources())) {
                provider.changePlan(i.id, plan.resources());
                out.add(repaired(i, Drift.Kind.LIMITS, "limits " + s.appliedLimits() + " re-applied as " + plan.resources()));
            }
        } catch (RuntimeException e) {
            out.add(report(i, Drift.Kind.STATE, "repair failed: " + e.getMessage()));
        }
        return out;
    }

    /**
     * The runtime lost an instance Berth runs (a container removed by hand): provisions it again on its node.
     * Providers find the instance's data (volumes) by its id, so it comes back with its data; a suspended one
     * is stopped again.
     */
    private Drift recreate(RuntimeProvider provider, InstanceEntity i, InstanceState state, String kind) {
        try {
            provider.provision(engine.provisionRequest(i, i.appVersion));
            if (state == InstanceState.SUSPENDED) {
                provider.suspend(i.id);
            }
            return repaired(i, Drift.Kind.MISSING, "runtime " + kind + " did not hold it; provisioned again on its node");
        } catch (RuntimeException e) {
            return report(i, Drift.Kind.MISSING, "runtime " + kind + " does not hold it; recreating failed: " + e.getMessage());
        }
    }

    private Drift repaired(InstanceEntity i, Drift.Kind kind, String detail) {
        engine.publish(BerthEvent.Type.DRIFT_REPAIRED, i, detail);
        return new Drift(kind, i.id, detail, true);
    }

    private Drift report(InstanceEntity i, Drift.Kind kind, String detail) {
        engine.publish(BerthEvent.Type.DRIFT_DETECTED, i, detail);
        return new Drift(kind, i.id, detail, false);
    }
}
