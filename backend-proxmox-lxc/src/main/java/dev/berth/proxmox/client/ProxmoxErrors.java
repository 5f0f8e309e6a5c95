package dev.berth.proxmox.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.spi.error.AlreadyExistsException;
import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.error.UnsupportedCapabilityException;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a Proxmox error answer (status line + {@code message} + {@code errors} map) into core's typed exceptions.
 * Proxmox reports almost every domain error as a plain 500 whose text is the only clue (there is no 404 for a
 * missing container), so the text is classified here, in one place.
 */
public final class ProxmoxErrors {

    private ProxmoxErrors() {
    }

    /**
     * The exception for an HTTP error answer.
     *
     * @param status HTTP status (595/596/597/599 are the proxy's pseudo-statuses for an unreachable node)
     * @param reason the reason phrase (Proxmox puts the first line of the error there)
     * @param body   the parsed body, or null when it was not JSON or empty
     * @param what   method and path, for the message
     */
    public static BerthException fromResponse(int status, String reason, JsonNode body, String what) {
        String message = message(reason, body);
        if (status == 400) {
            Map<String, String> errors = new TreeMap<>();
            if (body != null && body.path("errors").isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = body.path("errors").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    errors.put(e.getKey(), e.getValue().asText().strip());
                }
            }
            if (!errors.isEmpty()) {
                Map.Entry<String, String> first = errors.entrySet().iterator().next();
                if (first.getValue().contains("already exists")) {
                    return new AlreadyExistsException(what + ": " + first.getKey() + ": " + first.getValue());
                }
                String all = errors.size() == 1 ? first.getValue() : first.getValue() + " (also " + errors.keySet() + ")";
                return new InvalidSpecException(first.getKey(), all + " [" + what + "]");
            }
            return new InvalidSpecException("request", message + " [" + what + "]");
        }
        if (status == 401) {
            return new AuthenticationException("Proxmox refused the credentials (" + message + ") [" + what + "]");
        }
        if (status == 403) {
            return new AuthenticationException("Proxmox denied the permission (" + message + ") [" + what + "]");
        }
        if (status == 501) {
            return new UnsupportedCapabilityException("Proxmox does not implement " + what + ": " + message);
        }
        if (status >= 595 && status <= 599) {
            return new UnavailableException("node unreachable through the cluster proxy (" + status + " " + message
                    + ") [" + what + "]");
        }
        return fromMessage(message, what, status);
    }

    /** Classifies an error text (from a 5xx answer or a failed task's exit status). */
    public static BerthException fromMessage(String message, String what, int status) {
        String m = message == null ? "" : message;
        String full = what + ": " + m;
        if (m.contains("does not exist") || m.contains("no such resource") || m.contains("no such task")) {
            return new NotFoundException("proxmox resource", full);
        }
        if (m.contains("already exists")) {
            return new AlreadyExistsException(full);
        }
        if (m.contains("is locked") || m.contains("got timeout")) {
            return new ConflictException(full);
        }
        if (m.contains("got no worker upid") || m.contains("no quorum") || status == 502 || status == 503 || status == 504) {
            return new UnavailableException(full);
        }
        return new BerthException(full, false);
    }

    /** True for a dispatch failure that is safe to send again: nothing was started on the server. */
    public static boolean transientDispatch(int status, String message) {
        String m = message == null ? "" : message;
        return status == 596 || status == 599 || status == 502 || status == 503 || status == 504
                || (status >= 500 && (m.contains("got no worker upid") || m.contains("got timeout")));
    }

    private static String message(String reason, JsonNode body) {
        if (body != null && body.hasNonNull("message")) {
            return body.get("message").asText().strip();
        }
        return reason == null ? "" : reason.strip();
    }
}
