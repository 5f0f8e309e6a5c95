package dev.berth.core.lifecycle;

import dev.berth.core.lifecycle.journal.StepJournal;
import dev.berth.core.store.OperationEntity;
import dev.berth.spi.RuntimeState;
import jakarta.persistence.EntityManager;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * One attempt at an operation: its typed parameters, the steps already done, and the two ways to run a step.
 * Each step is skipped when the journal says an earlier attempt did it, and each is idempotent, so an attempt
 * interrupted anywhere (a crash, a lost connection) converges when the operation runs again.
 *
 * <p>Progress costs one write per step: a step that works outside the database ({@link #step}) records its start
 * together with the previous step's completion; a step whose whole effect is in the database ({@link #txStep})
 * does its work and records its start and completion in one transaction, so it happens exactly once. A completion
 * not yet written when the process dies only means that (idempotent) step runs again.
 */
final class OperationRun {

    private final Engine engine;
    private final StepJournal journal;
    final OperationEntity op;
    final OperationParams params;
    private final Set<Step> done = EnumSet.noneOf(Step.class);
    /** Steps done in this attempt whose completion is not written yet: it travels with the next write. */
    private final List<Step> unrecorded = new ArrayList<>();
    /** Work to do once the current step's transaction has committed (events, submitting messages). */
    final List<Runnable> afterCommit = new ArrayList<>();
    /** What this attempt's last runtime call observed (null: no such call in this attempt). */
    RuntimeState observed;

    OperationRun(Engine engine, StepJournal journal, OperationEntity op, List<String> completed) {
        this.engine = engine;
        this.journal = journal;
        this.op = op;
        this.params = OperationParams.read(op);
        completed.forEach(s -> done.add(Step.valueOf(s)));
    }

    /** The parameters, as the type the recipe of this operation knows they are. */
    <T extends OperationParams> T params(Class<T> type) {
        return type.cast(params);
    }

    /**
     * Runs a step that works outside the database (runtime, DNS, mail, waiting). One write records it started,
     * together with the previous step's completion; its own completion is recorded with the next write. A crash
     * before that write runs the step again, which is safe because every step is idempotent.
     */
    StepResult step(Step step, Runnable body) {
        if (done.contains(step)) {
            return StepResult.DONE;
        }
        begin(step);
        engine.db.run(this::recordProgress);
        progressRecorded();
        body.run();
        done.add(step);
        unrecorded.add(step);
        return StepResult.DONE;
    }

    /** True when an earlier execution started {@code step} (it is in the journal) without finishing it. */
    boolean begun(Step step) {
        return !done.contains(step) && engine.db.read(em -> journal.startedAt(em, op.id, step.name()).isPresent());
    }

    /**
     * Runs a step that waits for something outside Berth (the runtime reporting the instance running) without
     * holding a worker: {@code look} checks once and returns {@link StepResult.Done} or {@link StepResult.Waiting}
     * (the recipe then stops and the operation runs again later). {@code look} is given when the step first
     * started: the journal keeps that start across attempts, looks and restarts, so a deadline counted from it
     * survives a crash. A look again writes nothing here when the start is already recorded.
     */
    StepResult waitStep(Step step, Function<Instant, StepResult> look) {
        if (done.contains(step)) {
            return StepResult.DONE;
        }
        begin(step);
        Instant since = unrecorded.isEmpty()
                ? engine.db.read(em -> journal.startedAt(em, op.id, step.name()).orElse(null)) : null;
        if (since == null) {
            since = engine.db.inTransaction(em -> {
                recordProgress(em);
                return journal.startedAt(em, op.id, step.name()).orElseThrow();
            });
            progressRecorded();
        }
        StepResult result = look.apply(since);
        if (result instanceof StepResult.Done) {
            done.add(step);
            unrecorded.add(step);
        }
        return result;
    }

    /**
     * Runs a step whose whole effect is in the database: {@code body} works in one transaction that also records
     * the step started and, when {@code body} returns {@link StepResult.Done}, done (with any completion not yet
     * written). A crash or a failure leaves none of it, so the step happens exactly once. Work queued on
     * {@link #afterCommit} runs after the commit.
     */
    StepResult txStep(Step step, Function<EntityManager, StepResult> body) {
        if (done.contains(step)) {
            return StepResult.DONE;
        }
        begin(step);
        StepResult result;
        try {
            result = engine.db.inTransaction(em -> {
                recordProgress(em); // first, so that what the body sets on the operation (its end) wins
                StepResult r = body.apply(em);
                if (r instanceof StepResult.Done) {
                    journal.completed(em, op.id, List.of(step.name()), engine.clock.instant());
                }
                return r;
            });
        } catch (RuntimeException e) {
            afterCommit.clear(); // rolled back: what it would have announced did not happen
            throw e;
        }
        unrecorded.clear(); // committed with the step
        if (result instanceof StepResult.Done) {
            done.add(step);
        }
        afterCommit.forEach(Runnable::run);
        afterCommit.clear();
        return result;
    }

    /**
     * Records, in the caller's transaction, the step the operation is at (and that it started) and the
     * completions not yet written. Every write of the operation's progress goes through here.
     */
    void recordProgress(EntityManager em) {
        var now = engine.clock.instant();
        OperationEntity o = em.find(OperationEntity.class, op.id);
        o.step = op.step;
        o.updatedAt = now;
        journal.completed(em, op.id, unrecorded.stream().map(Step::name).toList(), now);
        if (op.step != null && !done.contains(Step.valueOf(op.step))) {
            journal.started(em, op.id, op.step, now);
        }
    }

    /** Call once the transaction that ran {@link #recordProgress} has committed. */
    void progressRecorded() {
        unrecorded.clear();
    }

    private void begin(Step step) {
        engine.stepListener.beforeStep(op.id, step.name());
        op.step = step.name();
    }
}
