package dev.berth.core.error;

/** No node (or not the named node) has room for the requested resources. Retryable once capacity appears. */
public class InsufficientCapacityException extends BerthException {

    public InsufficientCapacityException(String message) {
        super(message, true);
    }
}
