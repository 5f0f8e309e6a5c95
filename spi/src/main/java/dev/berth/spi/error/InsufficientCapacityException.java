package dev.berth.spi.error;

/** No node (or not the named node) has room for the requested resources. Retryable once capacity appears. */
public class InsufficientCapacityException extends BerthException {

    public InsufficientCapacityException(String message) {
        super(message, true);
    }

    public InsufficientCapacityException(String message, Throwable cause) {
        super(message, true, cause);
    }
}
