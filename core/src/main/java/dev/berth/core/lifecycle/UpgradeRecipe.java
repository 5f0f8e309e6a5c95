package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;

/** UPGRADE: back up when the runtime can, move to the new version, wait until it runs, record the version. */
final class UpgradeRecipe implements Recipe {

    private final OperationSupport s;

    UpgradeRecipe(OperationSupport s) {
        this.s = s;
    }

    @Override
    public StepResult run(OperationRun run) {
        String version = run.params(OperationParams.Upgrade.class).version();
        run.step(Step.BACKUP, () -> {
            var i = s.instance(run);
            s.provider(i).backups().ifPresent(support -> s.takeBackup(i, support, run.op.id));
        });
        run.step(Step.RUNTIME, () -> {
            var i = s.instance(run);
            run.observed = s.provider(i).upgrade(s.engine.provisionRequest(i, version)).state();
        });
        if (run.waitStep(Step.READY, since -> s.checkRunning(run, since)) instanceof StepResult.Waiting waiting) {
            return waiting;
        }
        return run.txStep(Step.FINALIZE, em -> s.finish(em, run, null, i -> i.appVersion = version, BerthEvent.Type.INSTANCE_UPGRADED));
    }
}
