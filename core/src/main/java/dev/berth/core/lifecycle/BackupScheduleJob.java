package dev.berth.core.lifecycle;

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

/** Periodic backups: starts one for each instance whose plan takes backups and whose newest is due. */
final class BackupScheduleJob {

    private static final Logger log = LoggerFactory.getLogger(BackupScheduleJob.class);

    private final Engine engine;
    private final InstanceService instances;

    BackupScheduleJob(Engine engine, InstanceService instances) {
        this.engine = engine;
        this.instances = instances;
    }

    /**
     * Starts a backup for every instance whose
     * plan takes periodic backups and whose newest backup is older than the plan's interval.
     *
     * @return the operations started
     */
    List<String> run() {
        if (engine.backupStore.isEmpty()) return List.of();
        var store = engine.backupStore.get();
        Instant now = engine.clock.instant();
        List<String> started = new ArrayList<>();
        List<InstanceEntity> live = engine.db.read(em -> em.createQuery(
                "select i from InstanceEntity i where i.state in ('ACTIVE', 'SUSPENDED')", InstanceEntity.class).getResultList());
        for (InstanceEntity i : live) {
            Plan plan = PlanService.toPlan(engine.db.read(em -> em.find(PlanEntity.class, i.planId)));
            if (!plan.backupPolicy().enabled()) continue;
            List<BackupManifest> backups = store.list(i.id);
            Instant newest = backups.isEmpty() ? null : backups.get(0).createdAt();
            if (i.activeOperation == null && (newest == null || !newest.plus(plan.backupPolicy().interval()).isAfter(now))) {
                try {
                    started.add(instances.backup(i.id).id());
                } catch (RuntimeException e) {
                    log.info("periodic backup of {} deferred: {}", i.id, e.getMessage());
                }
            }
        }
        return started;
    }
}
