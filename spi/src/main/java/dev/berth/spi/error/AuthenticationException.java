package dev.berth.spi.error;

/** Credentials for a runtime or remote service were refused. Not retryable until the credentials change. */
public class AuthenticationException extends BerthException {

    public AuthenticationException(String message) {
        super(message, false);
    }

    public AuthenticationException(String message, Throwable cause) {
        super(message, false, cause);
    }
}
