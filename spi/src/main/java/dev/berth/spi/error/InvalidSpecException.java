package dev.berth.spi.error;

/**
 * Input was rejected: a request, plan, template or configuration value is malformed or out of range.
 * {@link #field()} names the offending field so that an API can point at it. Nothing was changed.
 */
public class InvalidSpecException extends BerthException {

    private final String field;

    public InvalidSpecException(String field, String problem) {
        super(field + ": " + problem, false);
        this.field = field;
    }

    /** As {@link #InvalidSpecException(String, String)}, keeping what the value was rejected by. */
    public InvalidSpecException(String field, String problem, Throwable cause) {
        super(field + ": " + problem, false, cause);
        this.field = field;
    }

    /** The path of the offending field, for example {@code "resources.memoryLimitBytes"}. */
    public String field() {
        return field;
    }
}
