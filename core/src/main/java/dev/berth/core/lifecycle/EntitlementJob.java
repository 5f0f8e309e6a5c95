package dev.berth.core.lifecycle;

import dev.berth.core.billing.Entitlement;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.OperationEntity;
import dev.berth.core.store.PlanEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Grace and expiry: suspends and terminates instances whose subscription lapsed, and starts billing actions that had to wait. */
final class EntitlementJob {

    private static final Logger log = LoggerFactory.getLogger(EntitlementJob.class);

    private final Engine engine;
    private final InstanceService instances;
    private final BillingService billing;
    private final Consumer<String> submit;

    EntitlementJob(Engine engine, InstanceService instances, BillingService billing, Consumer<String> submit) {
        this.engine = engine;
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
    List<String> run() {
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
}
