package dev.berth.core.lifecycle;

import dev.berth.core.notify.NotificationSettings;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.PlanEntity;
import dev.berth.spi.notify.Notification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Warns customers, once per schedule, that an instance is about to be terminated. */
final class TerminationWarningJob {

    private static final Logger log = LoggerFactory.getLogger(TerminationWarningJob.class);

    private final Engine engine;
    private final Notifications notifications;
    private final Consumer<String> submit;

    TerminationWarningJob(Engine engine, Consumer<String> submit) {
        this.engine = engine;
        this.notifications = new Notifications(engine);
        this.submit = submit;
    }

    /**
     * Warns the customer of every instance scheduled for termination (suspended after its subscription ended)
     * that termination is {@link NotificationSettings#terminationWarning()} or less away. Each schedule is warned
     * once, however often the job runs and on however many Berth processes.
     *
     * @return ids of the instances warned by this run
     */
    List<String> run() {
        if (engine.notifier.isEmpty()) return List.of();
        Instant now = engine.clock.instant();
        List<String> warned = new ArrayList<>();
        List<InstanceEntity> scheduled = engine.db.read(em -> em.createQuery(
                "select i from InstanceEntity i where i.state = 'SUSPENDED' and i.entitlement = 'ENDED'", InstanceEntity.class)
                .getResultList());
        for (InstanceEntity candidate : scheduled) {
            Plan plan = PlanService.toPlan(engine.db.read(em -> em.find(PlanEntity.class, candidate.planId)));
            Instant terminationAt = candidate.entitlementAt.plus(plan.retention());
            if (now.isBefore(terminationAt.minus(engine.notifications.terminationWarning())) || !now.isBefore(terminationAt)) {
                continue;
            }
            try {
                String id = engine.db.inTransaction(em -> notifications.enqueue(em, em.find(InstanceEntity.class, candidate.id),
                        Notification.Type.TERMINATION_WARNING, candidate.entitlementAt.toString(),
                        Map.of("terminationAt", terminationAt.toString(),
                                "terminationDate", DateTimeFormatter.ISO_LOCAL_DATE.format(terminationAt.atZone(ZoneOffset.UTC)))));
                if (id != null) {
                    submit.accept(id);
                    warned.add(candidate.id);
                }
            } catch (RuntimeException e) {
                // a peer process recorded the same warning at the same moment: the unique id keeps it to one
                if (!dev.berth.core.store.Database.isUniqueViolation(e)) {
                    log.warn("termination warning for instance {} failed: {}", candidate.id, e.getMessage());
                }
            }
        }
        return warned;
    }
}
