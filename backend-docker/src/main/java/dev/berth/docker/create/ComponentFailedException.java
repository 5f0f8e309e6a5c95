package dev.berth.docker.create;

import dev.berth.spi.error.BerthException;

/**
 * A component exited, kept restarting or was killed for lack of memory while Berth waited for it to become
 * ready. Not retryable: the same image with the same settings fails the same way, so the step fails at once
 * instead of waiting out the readiness timeout. The message names the component, the exit code or restart
 * count and its last log lines, with the request's secret values masked.
 */
public final class ComponentFailedException extends BerthException {

    ComponentFailedException(String message) {
        super(message, false);
    }
}
