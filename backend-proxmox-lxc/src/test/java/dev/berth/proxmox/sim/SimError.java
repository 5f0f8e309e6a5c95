package dev.berth.proxmox.sim;

import java.util.Map;

/** An error answer of the simulated API: status, message (also the reason phrase) and the {@code errors} map. */
final class SimError extends RuntimeException {

    final int status;
    final Map<String, String> errors;

    SimError(int status, String message) {
        this(status, message, Map.of());
    }

    SimError(int status, String message, Map<String, String> errors) {
        super(message, null, false, false);
        this.status = status;
        this.errors = Map.copyOf(errors);
    }

    static SimError param(String field, String message) {
        return new SimError(400, "Parameter verification failed.", Map.of(field, message));
    }

    static SimError die(String message) {
        return new SimError(500, message);
    }
}
