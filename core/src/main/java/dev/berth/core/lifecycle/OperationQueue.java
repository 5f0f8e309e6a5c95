package dev.berth.core.lifecycle;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceException;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceNotFoundException;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;
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
 * (or to this one after a restart). A process restarting under the same {@link EngineSettings#schedulerName()}
 * does not wait for that: it takes its own predecessor's executions back as it starts ({@link #start()}).
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

    private final Engine engine;
    private final Scheduler scheduler;
    private final CustomTask<Void> task;

    OperationQueue(Engine engine, Function<String, Outcome> worker, List<RecurringTask<Void>> recurring) {
        this.engine = engine;
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

    /** Takes back this process's own dead executions (see {@link #reclaimOwnExecutions()}), then starts the workers. */
    void start() {
        int reclaimed = reclaimOwnExecutions();
        if (reclaimed > 0) {
            log.info("took back {} execution(s) that scheduler {} held when it last stopped", reclaimed,
                    engine.settings.schedulerName());
        }
        scheduler.start();
    }

    /**
     * Releases every execution that db-scheduler's table shows picked by this scheduler name, before this process
     * picks anything: a process that has not started yet runs nothing, so whatever its name holds was held by an
     * earlier life of it that died. Released rows are due at once (their execution time has passed), so the
     * operations resume now instead of after the missed-heartbeat window, which stays the rule for executions of
     * other processes. The version is bumped so that a zombie of the old process can no longer complete or
     * reschedule them. One statement, so one transaction. Relies on scheduler names being unique among live
     * processes.
     *
     * @return how many executions were released
     */
    int reclaimOwnExecutions() {
        return engine.db.inTransaction(em -> em.createNativeQuery("update scheduled_tasks set picked = ?1, picked_by = null,"
                        + " last_heartbeat = null, version = version + 1 where picked = ?2 and picked_by = ?3")
                .setParameter(1, false).setParameter(2, true).setParameter(3, engine.settings.schedulerName())
                .executeUpdate());
    }

    /**
     * Makes an operation due now: an execution waiting for a later time (a retry, a look again) is moved to now,
     * a missing one is scheduled. One that is running at this moment is left alone; it ends soon and the operation
     * runs again by its own outcome.
     */
    void runNow(String operationId) {
        TaskInstanceId id = task.instance(operationId);
        try {
            if (!scheduler.reschedule(id, Instant.now())) {
                submit(operationId);
            }
        } catch (TaskInstanceNotFoundException e) {
            submit(operationId);
        } catch (TaskInstanceException e) {
            // running now, or rescheduled by its own execution between db-scheduler's read and its update: either
            // way it runs again soon (a waiting step looks again within its interval) and sees the change then
            log.debug("operation {} is being executed or rescheduled; it sees the change at its next execution", operationId);
        }
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
