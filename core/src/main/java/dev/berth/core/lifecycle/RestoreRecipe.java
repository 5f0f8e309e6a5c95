package dev.berth.core.lifecycle;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.store.InstanceEntity;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnsupportedCapabilityException;

/** RESTORE: replace the instance's data with one of its own backups. */
final class RestoreRecipe implements Recipe {

    private final OperationSupport s;

    RestoreRecipe(OperationSupport s) {
        this.s = s;
    }

    @Override
    public StepResult run(OperationRun run) {
        String backupId = run.params(OperationParams.Restore.class).backupId();
        run.step(Step.RESTORE, () -> restoreData(s, s.instance(run), backupId));
        // state the restored data does not carry (declared afterRestore) is made again, on a running instance only
        if (s.bootstrapper.hasActions(run.op.instanceId, true)) {
            run.step(Step.BOOTSTRAP, () -> {
                var i = s.instance(run);
                if (InstanceState.ACTIVE.name().equals(i.state)) {
                    s.bootstrapper.run(i, true);
                }
            });
        }
        return run.txStep(Step.FINALIZE, em -> s.finish(em, run, null, i -> { }, BerthEvent.Type.INSTANCE_RESTORED));
    }

    /**
     * Replaces the data of {@code i} with its backup {@code backupId}: the one path that gives an instance a backup
     * back, for RESTORE and for a REPAIR that provisioned a lost instance again.
     */
    static void restoreData(OperationSupport s, InstanceEntity i, String backupId) {
        var store = s.engine.backupStore.orElseThrow(() -> new UnsupportedCapabilityException("no backup store configured"));
        BackupManifest m = store.find(backupId).orElseThrow(() -> new NotFoundException("backup", backupId));
        if (!m.instanceId().equals(i.id)) {
            throw new InvalidSpecException("backupId", "belongs to another instance");
        }
        // data encrypted with a key (n8n) is useless without that key: the instance's stored secret, which is
        // never regenerated and outlives termination while backups exist, is what the runtime gets back
        if (m.encryptionKeyRef() != null && !s.engine.secrets.load(i.id).containsKey(m.encryptionKeyRef())) {
            throw new BerthException("backup " + backupId + " needs secret " + m.encryptionKeyRef()
                    + ", which instance " + i.id + " no longer has", false);
        }
        s.provider(i).backups().orElseThrow(() -> new UnsupportedCapabilityException("provider cannot restore"))
                .restore(i.id, m, store);
    }
}
