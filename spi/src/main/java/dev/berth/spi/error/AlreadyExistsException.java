package dev.berth.spi.error;

/** Something with the same identity already exists and differs from what was asked for. Not retryable. */
public class AlreadyExistsException extends BerthException {

    public AlreadyExistsException(String message) {
        super(message, false);
    }

    public AlreadyExistsException(String message, Throwable cause) {
        super(message, false, cause);
    }
}
