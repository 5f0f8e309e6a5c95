package dev.berth.core.lifecycle;

import dev.berth.core.operation.OperationStatus;

/** NOTIFY: send the message; its completion is recorded with the operation's end, in one write. */
final class NotifyRecipe implements Recipe {

    private final OperationSupport s;

    NotifyRecipe(OperationSupport s) {
        this.s = s;
    }

    @Override
    public StepResult run(OperationRun run) {
        run.step(Step.SEND, () -> s.notifications.deliver(run.op.instanceId, run.params(OperationParams.Notify.class)));
        s.engine.db.run(em -> {
            run.recordProgress(em);
            s.end(em, run.op.id, OperationStatus.SUCCEEDED, null);
        });
        run.progressRecorded();
        return StepResult.DONE;
    }
}
