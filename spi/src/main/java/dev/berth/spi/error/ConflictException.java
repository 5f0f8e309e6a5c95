package dev.berth.spi.error;

/**
 * The target is busy or locked (an operation in progress, a runtime lock, a concurrent update).
 * Retryable: the same call may succeed once the other work is done.
 */
public class ConflictException extends BerthException {

    public ConflictException(String message) {
        super(message, true);
    }

    public ConflictException(String message, Throwable cause) {
        super(message, true, cause);
    }

    protected ConflictException(String message, boolean retryable) {
        super(message, retryable);
    }

    protected ConflictException(String message, boolean retryable, Throwable cause) {
        super(message, retryable, cause);
    }
}
