package dev.berth.core.lifecycle;

import dev.berth.core.instance.InstanceState;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.PlanEntity;
import dev.berth.spi.backup.BackupManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Backup retention: deletes expired backups, and a terminated instance's secrets once its last backup is gone. */
final class BackupRetentionJob {

    private static final Logger log = LoggerFactory.getLogger(BackupRetentionJob.class);

    private final Engine engine;

    BackupRetentionJob(Engine engine) {
        this.engine = engine;
    }

    /**
     * Deletes exactly the expired backups: those older than the retention of their instance's plan. The newest
     * backup of an instance that still exists is never expired (if periodic backups have been failing it is the
     * only copy left); the backups of a terminated instance all expire, the final one included, once the
     * retention has passed. When a terminated instance's last backup is gone, its secrets are deleted too, since
     * nothing can use them any more.
     *
     * @return ids of the deleted backups
     */
    List<String> run() {
        Instant now = engine.clock.instant();
        List<String> deleted = new ArrayList<>();
        List<InstanceEntity> all = engine.db.read(em -> em.createQuery(
                "select i from InstanceEntity i where i.state not in ('PENDING', 'QUEUED')",
                InstanceEntity.class).getResultList());
        for (InstanceEntity i : all) {
            try {
                boolean gone = InstanceState.TERMINATED.name().equals(i.state);
                List<BackupManifest> backups = engine.backupStore.map(s -> s.list(i.id)).orElse(List.of());
                if (!backups.isEmpty()) {
                    Plan plan = PlanService.toPlan(engine.db.read(em -> em.find(PlanEntity.class, i.planId)));
                    Instant cutoff = now.minus(plan.backupPolicy().retention());
                    for (BackupManifest m : backups.subList(gone ? 0 : 1, backups.size())) {
                        if (m.createdAt().isBefore(cutoff)) {
                            engine.backupStore.get().delete(m.backupId());
                            deleted.add(m.backupId());
                        }
                    }
                }
                if (gone) {
                    engine.purgeSecretsWhenUnused(i.id);
                }
            } catch (RuntimeException e) {
                log.warn("backup retention of instance {} failed: {}", i.id, e.getMessage());
            }
        }
        return deleted;
    }
}
