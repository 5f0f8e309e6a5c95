package dev.berth.core.lifecycle;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Durable, cluster-safe execution of operations on db-scheduler. Each operation is one task instance keyed by
 * the operation id, so it is scheduled at most once; db-scheduler's row locking ensures only one Berth process
 * runs it, its heartbeats detect a process that died mid-operation and hand the operation to another process
 * (or to this one after a restart).
 */
final class OperationQueue implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OperationQueue.class);
    static final String TASK = "berth-operation";

    /** What a worker decided about an operation. */
    sealed interface Outcome {
        /** Finished (succeeded or failed for good): forget the execution. */
        record Done() implements Outcome { }
        /** Try again at the given time. */
        record RetryAt(Instant at) implements Outcome { }
        /** Waiting for an outside event (capacity for a queued instance): forget until resubmitted. */
        record Parked() implements Outcome { }
    }

    private final Scheduler scheduler;
    private final CustomTask<Void> task;

    OperationQueue(Engine engine, Function<String, Outcome> worker, List<RecurringTask<Void>> recurring) {
        this.task = Tasks.custom(TASK, Void.class)
                .onDeadExecutionRevive()
                .execute((instance, ctx) -> {
                    Outcome outcome = worker.apply(instance.getId());
                    return (CompletionHandler<Void>) (complete, ops) -> {
                        if (outcome instanceof Outcome.RetryAt r) {
                            ops.reschedule(complete, r.at());
                        } else {
                            ops.remove();
                        }
                    };
                });
        var s = engine.settings;
        List<com.github.kagkarlsson.scheduler.task.Task<?>> known = new ArrayList<>();
        known.add(task);
        var builder = Scheduler.create(engine.db.dataSource(), known)
                .schedulerName(new SchedulerName.Fixed(s.schedulerName()))
                .threads(s.workerThreads())
                .pollingInterval(s.pollInterval())
                .heartbeatInterval(s.heartbeatInterval())
                .missedHeartbeatsLimit(s.missedHeartbeats())
                .enableImmediateExecution()
                .shutdownMaxWait(java.time.Duration.ofSeconds(5));
        if (!recurring.isEmpty()) {
            builder.startTasks(recurring);
        }
        this.scheduler = builder.build();
    }

    static RecurringTask<Void> recurring(String name, java.time.Duration every, Runnable job) {
        return Tasks.recurring(name, FixedDelay.of(every)).execute((inst, ctx) -> {
            try {
                job.run();
            } catch (RuntimeException e) {
                log.warn("job {} failed", name, e);
            }
        });
    }

    void start() {
        scheduler.start();
    }

    /** Schedules an operation to run now unless it is already scheduled. Safe to call any number of times. */
    void submit(String operationId) {
        scheduler.scheduleIfNotExists(task.instance(operationId), Instant.now());
    }

    @Override
    public void close() {
        scheduler.stop();
    }
}
