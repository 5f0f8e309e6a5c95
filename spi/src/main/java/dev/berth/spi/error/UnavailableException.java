package dev.berth.spi.error;

/** A runtime, node or remote service cannot be reached or answered with a transient error. Retryable. */
public class UnavailableException extends BerthException {

    public UnavailableException(String message) {
        super(message, true);
    }

    public UnavailableException(String message, Throwable cause) {
        super(message, true, cause);
    }
}
