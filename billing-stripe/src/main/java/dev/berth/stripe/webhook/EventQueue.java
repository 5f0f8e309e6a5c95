package dev.berth.stripe.webhook;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import dev.berth.stripe.StripeSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Durable, cluster-safe processing of accepted events on db-scheduler, in the module's own table
 * ({@code stripe_scheduled_tasks}). One task instance per event id, so an event is scheduled at most once at a
 * time and runs on one process; a process that dies mid-event is detected by its missing heartbeats and the event
 * runs again elsewhere (processing is idempotent).
 */
public final class EventQueue implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventQueue.class);
    static final String TASK = "stripe-event";

    private static final String TABLE = "stripe_scheduled_tasks";

    private final Scheduler scheduler;
    private final CustomTask<Void> task;
    private final BoundConnectionDataSource inTransaction = new BoundConnectionDataSource();
    private final SchedulerClient transactionalClient;

    /**
     * @param worker    processes one event id; returns when to try again, or empty when finished
     * @param recurring periodic jobs (sweeper, reconciliation) run by this scheduler
     */
    public EventQueue(DataSource dataSource, StripeSettings settings, Function<String, Optional<Instant>> worker,
                      List<RecurringTask<Void>> recurring) {
        this.task = Tasks.custom(TASK, Void.class)
                .onDeadExecutionRevive()
                .execute((instance, ctx) -> {
                    Optional<Instant> retryAt = worker.apply(instance.getId());
                    return (CompletionHandler<Void>) (complete, ops) -> {
                        if (retryAt.isPresent()) {
                            ops.reschedule(complete, retryAt.get());
                        } else {
                            ops.remove();
                        }
                    };
                });
        List<Task<?>> known = new ArrayList<>();
        known.add(task);
        var builder = Scheduler.create(dataSource, known)
                .tableName(TABLE)
                .schedulerName(new SchedulerName.Fixed(settings.schedulerName()))
                .threads(settings.workerThreads())
                .pollingInterval(settings.pollInterval())
                // an event's work takes seconds: a process that died mid-event is noticed within minutes, not
                // after db-scheduler's default of 6 × 5 minutes
                .heartbeatInterval(Duration.ofSeconds(30))
                .enableImmediateExecution()
                .shutdownMaxWait(Duration.ofSeconds(5));
        if (!recurring.isEmpty()) builder.startTasks(recurring);
        this.scheduler = builder.build();
        this.transactionalClient = SchedulerClient.Builder.create(inTransaction, known).tableName(TABLE).build();
    }

    /** A job run every {@code every} on one process at a time; its failures are logged, never thrown. */
    public static RecurringTask<Void> recurring(String name, Duration every, Runnable job) {
        return Tasks.recurring(name, FixedDelay.of(every)).execute((inst, ctx) -> {
            try {
                job.run();
            } catch (RuntimeException e) {
                log.warn("Stripe job {} failed: {}", name, e.getMessage());
            }
        });
    }

    public void start() {
        scheduler.start();
    }

    /** Schedules an event to be processed now unless it already is. Safe to call any number of times. */
    public void submit(String eventId) {
        scheduler.scheduleIfNotExists(task.instance(eventId), Instant.now());
    }

    /**
     * Schedules an event inside the caller's open transaction on {@code c} (auto-commit off): the schedule is
     * committed, or rolled back, with the caller's own writes.
     */
    public void submitInTransaction(Connection c, String eventId) {
        inTransaction.with(c, () -> transactionalClient.scheduleIfNotExists(task.instance(eventId), Instant.now()));
    }

    @Override
    public void close() {
        scheduler.stop();
    }
}
