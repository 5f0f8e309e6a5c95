package dev.berth.spi.error;

/** The runtime does not offer the asked-for optional ability (backup, migrate, live resize, …). */
public class UnsupportedCapabilityException extends BerthException {

    public UnsupportedCapabilityException(String message) {
        super(message, false);
    }

    public UnsupportedCapabilityException(String message, Throwable cause) {
        super(message, false, cause);
    }
}
