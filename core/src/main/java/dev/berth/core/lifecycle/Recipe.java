package dev.berth.core.lifecycle;

import dev.berth.core.operation.OperationType;

/**
 * The steps of one operation type, in order. A recipe only says what each step does; skipping steps already done,
 * recording progress ({@link OperationRun}) and handling failures ({@link FailurePolicy}) happen around it.
 */
sealed interface Recipe permits ProvisionRecipe, SuspendRecipe, ResumeRecipe, ChangePlanRecipe, UpgradeRecipe,
        BackupRecipe, RestoreRecipe, TerminateRecipe, MigrateRecipe, NotifyRecipe, RepairRecipe {

    /** Runs the steps not yet done; throws what a step throws. */
    StepResult run(OperationRun run);

    /** The recipe of {@code type}. */
    static Recipe of(OperationType type, OperationSupport s) {
        return switch (type) {
            case PROVISION -> new ProvisionRecipe(s);
            case SUSPEND -> new SuspendRecipe(s);
            case RESUME -> new ResumeRecipe(s);
            case CHANGE_PLAN -> new ChangePlanRecipe(s);
            case UPGRADE -> new UpgradeRecipe(s);
            case BACKUP -> new BackupRecipe(s);
            case RESTORE -> new RestoreRecipe(s);
            case TERMINATE -> new TerminateRecipe(s);
            case MIGRATE -> new MigrateRecipe(s);
            case NOTIFY -> new NotifyRecipe(s);
            case REPAIR -> new RepairRecipe(s);
        };
    }
}
