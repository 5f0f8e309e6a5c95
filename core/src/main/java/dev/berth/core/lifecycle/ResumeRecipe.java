package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.InstanceState;
import dev.berth.spi.notify.Notification;

import java.util.Map;

/** RESUME: start on the runtime, wait until it runs, clear the suspension. */
final class ResumeRecipe implements Recipe {

    private final OperationSupport s;

    ResumeRecipe(OperationSupport s) {
        this.s = s;
    }

    @Override
    public StepResult run(OperationRun run) {
        run.step(Step.RUNTIME, () -> s.provider(s.instance(run)).resume(run.op.instanceId));
        if (run.waitStep(Step.READY, since -> s.checkRunning(run, since)) instanceof StepResult.Waiting waiting) {
            return waiting;
        }
        return run.txStep(Step.FINALIZE, em -> s.finish(em, run, InstanceState.ACTIVE, i -> i.suspensionReason = null,
                BerthEvent.Type.INSTANCE_RESUMED, Notification.Type.INSTANCE_RESUMED, Map.of()));
    }
}
