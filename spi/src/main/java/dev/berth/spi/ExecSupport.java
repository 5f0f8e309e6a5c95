package dev.berth.spi;

/**
 * Capability: run a command inside a running component of an instance, as {@code docker exec},
 * {@code kubectl exec} or {@code pct exec} do. The engine uses it for app bootstrap steps (creating the owner's
 * account) and backup hooks (a logical database dump).
 *
 * <p>Synchronous: returns when the command has exited. <b>Not idempotent by itself</b>: running a command twice
 * runs it twice, so callers pass commands that are safe to repeat (Berth's bootstrap commands check before they
 * create). Thread-safe for different instances.
 */
public interface ExecSupport {

    /**
     * Runs {@code command} in the instance's component and waits for it to exit, at most
     * {@link ExecCommand#timeout()}.
     *
     * @return the exit code and the first {@link ExecResult#MAX_OUTPUT_CHARS} characters of stdout and stderr
     * @throws dev.berth.spi.error.NotFoundException    if the runtime holds no such instance or component
     * @throws dev.berth.spi.error.ConflictException    if the component is not running (retryable: start it first)
     * @throws dev.berth.spi.error.UnavailableException if the runtime cannot be reached, or the command outlived
     *                                                 its timeout (it is then killed where the runtime allows)
     */
    ExecResult exec(String instanceId, ExecCommand command);
}
