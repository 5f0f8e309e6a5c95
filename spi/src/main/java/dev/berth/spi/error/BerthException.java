package dev.berth.spi.error;

/**
 * Root of every exception Berth and its providers throw. Unchecked, so that SPI signatures stay plain.
 *
 * <p>Each subclass stands for one meaning (not found, conflict, …) and says through {@link #retryable()}
 * whether trying the same call again later may succeed. Messages never contain secret values.
 */
public class BerthException extends RuntimeException {

    private final boolean retryable;

    public BerthException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public BerthException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** True when the same call may succeed if tried again later (a transient fault, a lock, a busy node). */
    public boolean retryable() {
        return retryable;
    }
}
