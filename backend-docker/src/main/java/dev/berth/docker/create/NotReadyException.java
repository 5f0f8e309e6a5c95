package dev.berth.docker.create;

import dev.berth.spi.error.UnavailableException;

/**
 * A component did not pass its readiness probe in time. Retryable: a slow first start may succeed on a later
 * attempt. An upgrade that ends this way rolls back to the previous version.
 */
public final class NotReadyException extends UnavailableException {

    NotReadyException(String message) {
        super(message);
    }
}
