package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.plan.Plan;
import dev.berth.spi.BackupSupport;
import dev.berth.spi.error.UnsupportedCapabilityException;
import dev.berth.spi.notify.Notification;

import java.util.Map;

/** TERMINATE: a final backup when the plan takes backups, remove from the runtime and DNS, record the end. */
final class TerminateRecipe implements Recipe {

    private final OperationSupport s;

    TerminateRecipe(OperationSupport s) {
        this.s = s;
    }

    @Override
    public StepResult run(OperationRun run) {
        boolean hadRuntime = run.params(OperationParams.Terminate.class).hadRuntime();
        run.step(Step.BACKUP, () -> {
            var i = s.instance(run);
            Plan plan = s.plan(i.planId);
            // nothing is lost: a plan with backups gets a final one before anything is removed
            if (plan.backupPolicy().enabled() && i.nodeId != null && hadRuntime) {
                BackupSupport support = s.provider(i).backups().orElseThrow(() -> new UnsupportedCapabilityException(
                        "plan " + plan.id() + " requires a final backup but provider " + s.provider(i).kind() + " cannot back up"));
                s.takeBackup(i, support, run.op.id);
            }
        });
        run.step(Step.RUNTIME, () -> {
            var i = s.instance(run);
            if (i.nodeId != null) s.provider(i).terminate(i.id);
        });
        run.step(Step.DNS, () -> s.engine.dns.ifPresent(d -> d.delete(s.instance(run).hostname)));
        StepResult result = run.txStep(Step.FINALIZE, em -> s.finish(em, run, InstanceState.TERMINATED, i -> { },
                BerthEvent.Type.INSTANCE_TERMINATED, Notification.Type.INSTANCE_TERMINATED, Map.of()));
        s.capacityFreed.run();
        return result;
    }
}
