package dev.berth.k3s.kube;

import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.openapi.models.V1StatusCause;

import java.util.List;

/**
 * Maps an API server's failure status to Berth's typed errors: 404 not found, 409 conflict, 401/403
 * authentication, 422/400 invalid spec naming the field the server named, 429/5xx and transport failures
 * unavailable (retryable). Messages carry the server's message, which never includes Secret data.
 */
final class KubeErrors {

    private KubeErrors() {
    }

    /**
     * The Berth exception for an HTTP failure.
     *
     * @param code   HTTP status code (0 when the server was not reached)
     * @param status the server's Status body, or null
     * @param kind   kind of the object the call was about ("Deployment")
     * @param name   its name (namespace/name)
     */
    static BerthException map(int code, V1Status status, String kind, String name) {
        String message = status != null && status.getMessage() != null ? status.getMessage() : "HTTP " + code;
        String what = kind + " " + name;
        return switch (code) {
            case 404 -> new NotFoundException(kind, name);
            case 409 -> new ConflictException(what + ": " + message);
            case 401, 403 -> new AuthenticationException(what + ": the API server refused the credentials (" + code + "): " + message);
            case 400, 422 -> new InvalidSpecException(field(status, kind), message);
            case 0 -> new UnavailableException(what + ": API server not reachable: " + message);
            default -> code == 429 || code >= 500
                    ? new UnavailableException(what + ": API server answered " + code + ": " + message)
                    : new BerthException(what + ": API server answered " + code + ": " + message, false);
        };
    }

    /** A failure before any HTTP answer (connection refused, TLS, timeout). */
    static UnavailableException transport(String kind, String name, RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new UnavailableException(kind + " " + name + ": API server not reachable: " + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : " " + root.getMessage()), e);
    }

    // the field path the server names in its causes ("spec.template.spec.containers[0].image"), prefixed by the kind
    private static String field(V1Status status, String kind) {
        List<V1StatusCause> causes = status == null || status.getDetails() == null ? null : status.getDetails().getCauses();
        if (causes != null) {
            for (V1StatusCause c : causes) {
                if (c.getField() != null && !c.getField().isBlank()) {
                    return kind + "." + c.getField();
                }
            }
        }
        return kind;
    }
}
