package dev.berth.core.lifecycle;

import dev.berth.spi.BackupSupport;
import dev.berth.spi.error.UnsupportedCapabilityException;

/** BACKUP: take a backup (its id is the operation's), then end. */
final class BackupRecipe implements Recipe {

    private final OperationSupport s;

    BackupRecipe(OperationSupport s) {
        this.s = s;
    }

    @Override
    public StepResult run(OperationRun run) {
        run.step(Step.BACKUP, () -> {
            var i = s.instance(run);
            BackupSupport support = s.provider(i).backups().orElseThrow(() ->
                    new UnsupportedCapabilityException("provider " + s.provider(i).kind() + " cannot back up instances"));
            s.takeBackup(i, support, run.op.id);
        });
        return run.txStep(Step.FINALIZE, em -> s.finish(em, run, null, i -> { }, null));
    }
}
