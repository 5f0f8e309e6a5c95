package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.NodeEntity;
import dev.berth.spi.notify.Notification;
import jakarta.persistence.EntityManager;

import java.util.Map;

/**
 * PROVISION: place, generate secrets, point DNS, create on the runtime, wait until it runs, run the app's bootstrap
 * actions (its owner account), activate.
 */
final class ProvisionRecipe implements Recipe {

    private final OperationSupport s;

    ProvisionRecipe(OperationSupport s) {
        this.s = s;
    }

    @Override
    public StepResult run(OperationRun run) {
        if (run.txStep(Step.PLACE, em -> place(em, run)) instanceof StepResult.Queued queued) {
            return queued;
        }
        run.txStep(Step.SECRETS, em -> {
            InstanceEntity i = em.find(InstanceEntity.class, run.op.instanceId);
            s.engine.secrets.ensure(em, i.id, OperationSupport.secretSpecs(s.engine.catalog.get(i.appId)));
            return StepResult.DONE;
        });
        run.step(Step.DNS, () -> dnsUpsert(run));
        run.step(Step.RUNTIME, () -> {
            var i = s.instance(run);
            run.observed = s.provider(i).provision(s.engine.provisionRequest(i, i.appVersion)).state();
        });
        if (run.waitStep(Step.READY, since -> s.checkRunning(run, since)) instanceof StepResult.Waiting waiting) {
            return waiting;
        }
        // a step only for apps that have bootstrap actions: the others keep one write fewer per provision
        if (s.bootstrapper.hasActions(run.op.instanceId, false)) {
            run.step(Step.BOOTSTRAP, () -> s.bootstrapper.run(s.instance(run), false));
        }
        // the ready message is recorded with the activation, in one transaction: it is sent (and retried) on its
        // own, so a mail server that is down never holds up or undoes the provision
        return run.txStep(Step.ACTIVATE, em -> s.finish(em, run, InstanceState.ACTIVE, i -> { },
                BerthEvent.Type.INSTANCE_PROVISIONED, Notification.Type.INSTANCE_READY, Map.of()));
    }

    /** Places the instance; {@link StepResult.Queued} (the step is not done) when nothing has room. */
    private StepResult place(EntityManager em, OperationRun run) {
        InstanceEntity i = em.find(InstanceEntity.class, run.op.instanceId);
        if (i.nodeId != null) {
            return StepResult.DONE; // placed by an earlier attempt whose step record was lost, or by the queue job
        }
        boolean placed = s.placement.place(em, i, run.op, run.afterCommit).nodeId() != null;
        return placed ? StepResult.DONE : StepResult.QUEUED;
    }

    private void dnsUpsert(OperationRun run) {
        s.engine.dns.ifPresent(dns -> {
            var i = s.instance(run);
            NodeEntity n = s.engine.db.read(em -> em.find(NodeEntity.class, i.nodeId));
            if (n.publicAddress != null) {
                dns.upsert(i.hostname, n.publicAddress);
            }
        });
    }
}
