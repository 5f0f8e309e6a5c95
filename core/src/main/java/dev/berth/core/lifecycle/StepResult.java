package dev.berth.core.lifecycle;

import java.time.Duration;

/**
 * How a step (and so the recipe running it) ended, when it did not throw: done, or waiting for something outside
 * the operation. Returned rather than thrown, so that waiting is an ordinary outcome, not an error.
 */
sealed interface StepResult {

    /** The step is done (or was done by an earlier attempt); the recipe goes on. */
    record Done() implements StepResult { }

    /** No node has room: the instance waits in QUEUED until capacity appears; the recipe stops here. */
    record Queued() implements StepResult { }

    /**
     * The step waits for the runtime (an instance still starting) and its deadline has not passed: the execution
     * ends and the operation looks again after {@code lookAgainIn}, holding no worker meanwhile. Not a failure: it
     * costs no attempt and records no error.
     *
     * @param lookAgainIn when to run the step again
     * @param observed    what the step is waiting on, as last seen (for the log)
     */
    record Waiting(Duration lookAgainIn, String observed) implements StepResult { }

    StepResult DONE = new Done();
    StepResult QUEUED = new Queued();
}
