package dev.berth.spi.error;

/** The named thing (instance, tenant, plan, node, operation, backup, …) does not exist. Not retryable. */
public class NotFoundException extends BerthException {

    private final String kind;
    private final String id;

    public NotFoundException(String kind, String id) {
        super(kind + " '" + id + "' not found", false);
        this.kind = kind;
        this.id = id;
    }

    /** As {@link #NotFoundException(String, String)}, keeping the runtime's own answer. */
    public NotFoundException(String kind, String id, Throwable cause) {
        super(kind + " '" + id + "' not found", false, cause);
        this.kind = kind;
        this.id = id;
    }

    /** What was looked for, for example {@code "instance"}. */
    public String kind() {
        return kind;
    }

    public String id() {
        return id;
    }
}
