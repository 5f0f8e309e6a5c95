package dev.berth.core.lifecycle;

import dev.berth.core.billing.BillingEvent;
import dev.berth.core.billing.Entitlement;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.store.BillingEventEntity;
import dev.berth.core.store.Database;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.OperationEntity;
import dev.berth.core.store.PlanEntity;
import dev.berth.spi.error.BerthException;
import jakarta.persistence.EntityManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * The gateway-neutral entry point for billing. A gateway module (Stripe, …) turns its webhooks into
 * {@link BillingEvent}s and calls {@link #apply(BillingEvent)}. Obtained from {@code Berth.billing()}.
 */
public final class BillingService {

    private static final Logger log = LoggerFactory.getLogger(BillingService.class);

    private final Engine engine;
    private final InstanceService instances;
    private final java.util.function.Consumer<String> submit;

    BillingService(Engine engine, InstanceService instances, java.util.function.Consumer<String> submit) {
        this.engine = engine;
        this.instances = instances;
        this.submit = submit;
    }

    /**
     * Records the event and starts what it implies, in one transaction: the event id is stored under a unique
     * key together with the entitlement change and the operation it starts, so a replayed event is ignored and
     * an event is never half-applied. SUSPENDED and ENDED suspend an active instance now; ACTIVE resumes an
     * instance suspended for billing; a different plan starts a plan change. GRACE only records the start of
     * the grace period: {@link LifecycleJobs#enforceEntitlements()} suspends when it has passed.
     *
     * @return false when the event id was already applied (nothing changed)
     * @throws dev.berth.spi.error.NotFoundException if the instance does not exist
     */
    public boolean apply(BillingEvent event) {
        Optional<OperationEntity> started;
        try {
            started = engine.db.inTransaction(em -> {
                InstanceService.load(em, event.instanceId());
                BillingEventEntity row = new BillingEventEntity();
                row.eventId = event.eventId();
                row.instanceId = event.instanceId();
                row.appliedAt = engine.clock.instant();
                em.persist(row);
                em.flush(); // a duplicate event id fails here, before anything else is written
                return Optional.ofNullable(applyEntitlement(em, event));
            });
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                log.info("billing event {} already applied, ignored", event.eventId());
                return false;
            }
            throw e;
        }
        started.ifPresent(op -> submit.accept(op.id));
        return true;
    }

    private OperationEntity applyEntitlement(EntityManager em, BillingEvent event) {
        InstanceEntity i = em.find(InstanceEntity.class, event.instanceId());
        if (event.observedAt().isBefore(i.entitlementAt)) {
            // gateways deliver out of order: an older observation never overrides a newer one
            log.info("billing event {} is older than the instance's entitlement, ignored", event.eventId());
            return null;
        }
        if (!event.entitlement().name().equals(i.entitlement)) {
            i.entitlement = event.entitlement().name();
            i.entitlementAt = event.observedAt();
        }
        return act(em, i, event.planId());
    }

    /**
     * Starts the operation an instance's entitlement calls for, if any and if it is idle. Shared with the
     * periodic enforcement job, which catches up on anything that could not start at once.
     */
    OperationEntity act(EntityManager em, InstanceEntity i, String planId) {
        if (i.activeOperation != null) {
            return null; // the enforcement job retries once the running operation is done
        }
        InstanceState state = InstanceState.valueOf(i.state);
        Entitlement entitlement = Entitlement.valueOf(i.entitlement);
        try {
            if ((entitlement == Entitlement.SUSPENDED || entitlement == Entitlement.ENDED) && state == InstanceState.ACTIVE) {
                return instances.accept(em, i.id, new OperationParams.Suspend(SuspensionReason.BILLING), InstanceState.ACTIVE);
            }
            if (entitlement == Entitlement.ACTIVE && state == InstanceState.SUSPENDED
                    && SuspensionReason.BILLING.name().equals(i.suspensionReason)) {
                return instances.accept(em, i.id, new OperationParams.Resume(), InstanceState.SUSPENDED);
            }
            if (planId != null && !planId.equals(i.planId) && em.find(PlanEntity.class, planId) != null
                    && (state == InstanceState.ACTIVE || state == InstanceState.SUSPENDED)) {
                return instances.accept(em, i.id, new OperationParams.ChangePlan(planId),
                        InstanceState.ACTIVE, InstanceState.SUSPENDED);
            }
        } catch (BerthException e) {
            log.info("billing action for instance {} deferred: {}", i.id, e.getMessage());
        }
        return null;
    }
}
