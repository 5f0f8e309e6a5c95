package dev.berth.core.lifecycle;

/**
 * Observes an operation's steps as a worker runs them: for tracing, metrics, and for tests that interrupt an
 * operation between two steps to prove it resumes.
 */
@FunctionalInterface
public interface StepListener {

    /** Called before {@code step} of operation {@code operationId} runs (not for steps already done). */
    void beforeStep(String operationId, String step);

    StepListener NONE = (op, step) -> { };
}
