package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.OperationEntity;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.notify.Notification;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * REPAIR: puts an instance back as Berth wants it, from what it reads when it runs rather than from what the
 * reconciler saw (that is only why it was started): a stopped ACTIVE instance is started, a running SUSPENDED one
 * stopped, limits other than the plan's replaced. An instance its runtime lost is never provisioned again empty: it
 * is reported, or provisioned again and given its newest backup back when the operator's policy says so. An instance
 * no longer ACTIVE or SUSPENDED (a TERMINATED one) is left alone.
 */
final class RepairRecipe implements Recipe {

    /** How the state reason of an instance reported lost starts; the reconciler does not report it again. */
    static final String LOST = "lost by its runtime";

    private final OperationSupport s;

    RepairRecipe(OperationSupport s) {
        this.s = s;
    }

    /** What this attempt's RUNTIME step did: the repairs it made, and whether it started the instance. */
    private record Done(List<String> repairs, boolean started) { }

    @Override
    public StepResult run(OperationRun run) {
        OperationParams.Repair[] params = {run.params(OperationParams.Repair.class)};
        Done[] done = {new Done(List.of(), false)};
        run.step(Step.RUNTIME, () -> done[0] = repairRuntime(run, params));
        OperationParams.Repair.Lost lost = params[0].lost();
        boolean restoring = lost != null && lost.restoreFrom() != null;
        if (restoring) {
            run.step(Step.RESTORE, () -> RestoreRecipe.restoreData(s, s.instance(run), lost.restoreFrom()));
        }
        // a wait that began in an earlier execution (this one skipped RUNTIME) goes on until it ends
        boolean waiting = done[0].started() || restoring || run.begun(Step.READY);
        if (waiting && InstanceState.ACTIVE.name().equals(s.instance(run).state)
                && run.waitStep(Step.READY, since -> s.checkRunning(run, since)) instanceof StepResult.Waiting w) {
            return w;
        }
        return run.txStep(Step.FINALIZE, em -> {
            s.finish(em, run, null, i -> { }, null);
            InstanceEntity i = em.find(InstanceEntity.class, run.op.instanceId);
            if (lost != null && !restoring) {
                String detail = LOST + ": not provisioned again empty (policy " + params[0].onLost()
                        + (params[0].onLost() == LostInstancePolicy.RESTORE_FROM_BACKUP ? ", and it has no backup" : "")
                        + "); restore a backup or terminate it";
                i.stateReason = detail;
                String message = s.notifications.enqueue(em, i, Notification.Type.OPERATION_FAILED, run.op.id,
                        Map.of("operation", run.op.id, "operationType", run.op.type, "error", detail));
                run.afterCommit.add(() -> {
                    s.engine.publish(BerthEvent.Type.DRIFT_DETECTED, i, detail);
                    if (message != null) s.submit.accept(message);
                });
            } else if (restoring) {
                run.afterCommit.add(() -> s.engine.publish(BerthEvent.Type.DRIFT_REPAIRED, i, LOST
                        + ": provisioned again on its node and restored from backup " + lost.restoreFrom()));
            } else if (!done[0].repairs().isEmpty()) {
                run.afterCommit.add(() -> s.engine.publish(BerthEvent.Type.DRIFT_REPAIRED, i, String.join("; ", done[0].repairs())));
            }
            return StepResult.DONE;
        });
    }

    /** Reads the instance and its runtime again and repairs what differs; a lost instance gets its decision. */
    private Done repairRuntime(OperationRun run, OperationParams.Repair[] params) {
        InstanceEntity i = s.instance(run);
        InstanceState state = InstanceState.valueOf(i.state);
        if (state != InstanceState.ACTIVE && state != InstanceState.SUSPENDED) {
            return new Done(List.of(), false); // never resurrect what was terminated (or failed) in between
        }
        RuntimeProvider provider = s.provider(i);
        if (params[0].lost() == null) {
            InstanceStatus observed = statusOrNull(provider, i.id);
            if (observed != null) {
                return repairPresent(provider, i, state, observed);
            }
            decideLost(run, params, i);
        }
        if (params[0].lost().restoreFrom() == null) {
            return new Done(List.of(), false); // reported at the end, the runtime is left alone
        }
        // provisioning converges, so a retry after it already ran changes nothing
        run.observed = provider.provision(s.engine.provisionRequest(i, i.appVersion)).state();
        if (state == InstanceState.SUSPENDED) {
            provider.suspend(i.id);
            run.observed = RuntimeState.STOPPED;
        }
        return new Done(List.of("provisioned again"), state == InstanceState.ACTIVE);
    }

    private Done repairPresent(RuntimeProvider provider, InstanceEntity i, InstanceState state, InstanceStatus observed) {
        List<String> repairs = new ArrayList<>();
        boolean started = false;
        if (state == InstanceState.ACTIVE && observed.state() == RuntimeState.STOPPED) {
            provider.resume(i.id);
            started = true;
            repairs.add("was stopped, started again");
        } else if (state == InstanceState.SUSPENDED && observed.state() == RuntimeState.RUNNING) {
            provider.suspend(i.id);
            repairs.add("was running while suspended, stopped again");
        }
        ResourceLimits wanted = s.plan(i.planId).resources();
        if (observed.appliedLimits() != null && !observed.appliedLimits().equals(wanted)) {
            provider.changePlan(i.id, wanted);
            repairs.add("limits " + observed.appliedLimits() + " re-applied as " + wanted);
        }
        return new Done(repairs, started);
    }

    /**
     * Decides, once, what to do about a lost instance, and records the decision on the operation before acting on
     * it: a retry must restore the backup even though the instance then exists again (empty).
     */
    private void decideLost(OperationRun run, OperationParams.Repair[] params, InstanceEntity i) {
        String newest = null;
        if (params[0].onLost() == LostInstancePolicy.RESTORE_FROM_BACKUP) {
            newest = s.engine.backupStore.map(store -> store.list(i.id)).orElse(List.of()).stream()
                    .findFirst().map(BackupManifest::backupId).orElse(null); // the store lists newest first
        }
        OperationParams.Repair decided = params[0].withLost(new OperationParams.Repair.Lost(newest));
        s.engine.db.run(em -> em.find(OperationEntity.class, run.op.id).params = decided.toMap());
        params[0] = decided;
    }

    private static InstanceStatus statusOrNull(RuntimeProvider provider, String instanceId) {
        try {
            return provider.status(instanceId);
        } catch (NotFoundException e) {
            return null;
        }
    }
}
