package dev.berth.spi.error;

/**
 * A command would take its subject past a limit the operator set (instances per tenant, for example). Nothing was
 * changed. A conflict with the current state rather than bad input: the same request succeeds once the subject is
 * back under the limit (an instance terminated) or the limit is raised, so it is not retryable as is.
 */
public class LimitExceededException extends ConflictException {

    private final String limit;
    private final long max;

    /**
     * @param limit   the name of the setting that was reached, for example {@code "maxInstancesPerTenant"}
     * @param max     its value
     * @param message what was refused and why
     */
    public LimitExceededException(String limit, long max, String message) {
        super(message, false);
        this.limit = limit;
        this.max = max;
    }

    /** The name of the limit that was reached. */
    public String limit() {
        return limit;
    }

    /** The limit's value. */
    public long max() {
        return max;
    }
}
