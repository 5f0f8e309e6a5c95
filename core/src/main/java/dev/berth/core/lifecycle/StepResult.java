package dev.berth.core.lifecycle;

/**
 * How a step (and so the recipe running it) ended, when it did not throw: done, or waiting for something outside
 * the operation. Returned rather than thrown, so that waiting is an ordinary outcome, not an error.
 */
sealed interface StepResult {

    /** The step is done (or was done by an earlier attempt); the recipe goes on. */
    record Done() implements StepResult { }

    /** No node has room: the instance waits in QUEUED until capacity appears; the recipe stops here. */
    record Queued() implements StepResult { }

    StepResult DONE = new Done();
    StepResult QUEUED = new Queued();
}
