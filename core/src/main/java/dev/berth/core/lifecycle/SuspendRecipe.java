package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.InstanceState;
import dev.berth.spi.notify.Notification;

import java.util.Map;

/** SUSPEND: stop on the runtime (data kept), then record the reason. */
final class SuspendRecipe implements Recipe {

    private final OperationSupport s;

    SuspendRecipe(OperationSupport s) {
        this.s = s;
    }

    @Override
    public StepResult run(OperationRun run) {
        String reason = run.params(OperationParams.Suspend.class).reason().name();
        run.step(Step.RUNTIME, () -> s.provider(s.instance(run)).suspend(run.op.instanceId));
        return run.txStep(Step.FINALIZE, em -> s.finish(em, run, InstanceState.SUSPENDED, i -> i.suspensionReason = reason,
                BerthEvent.Type.INSTANCE_SUSPENDED, Notification.Type.INSTANCE_SUSPENDED, Map.of("reason", reason)));
    }
}
