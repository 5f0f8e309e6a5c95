package dev.berth.k3s.kube;

import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.openapi.models.V1StatusCause;

import java.util.List;
import java.util.Optional;

/**
 * How a command run through {@code pods/exec} ended, read from the {@code Status} object that channel 3 of the
 * {@code v4.channel.k8s.io} protocol carries: {@code Success} is exit code 0, a {@code NonZeroExitCode} failure
 * names the code in its {@code ExitCode} cause, and any other failure means the command did not run (no such
 * container, the runtime refused it): {@link #exitCode()} is then -1 and {@link #failure()} says why.
 *
 * @param exitCode the process's exit code, or -1 when it did not run
 * @param failure  why the command did not run, or null
 */
public record ExitStatus(int exitCode, String failure) {

    /** Whether the process ran and exited (with any code). */
    public boolean exited() {
        return failure == null;
    }

    /**
     * Reads the status channel's content.
     *
     * @return empty when there is none (the stream ended before the server sent one)
     */
    public static Optional<ExitStatus> parse(String json) {
        if (json == null || json.isBlank()) {
            return Optional.empty();
        }
        V1Status status;
        try {
            status = JSON.deserialize(json, V1Status.class);
        } catch (RuntimeException e) {
            return Optional.of(new ExitStatus(-1, "unreadable exec status: " + abbreviate(json)));
        }
        if (status == null) {
            return Optional.empty();
        }
        if ("Success".equals(status.getStatus())) {
            return Optional.of(new ExitStatus(0, null));
        }
        if ("NonZeroExitCode".equals(status.getReason()) && status.getDetails() != null) {
            List<V1StatusCause> causes = status.getDetails().getCauses() == null ? List.of() : status.getDetails().getCauses();
            for (V1StatusCause cause : causes) {
                if ("ExitCode".equals(cause.getReason()) && cause.getMessage() != null) {
                    try {
                        return Optional.of(new ExitStatus(Integer.parseInt(cause.getMessage().strip()), null));
                    } catch (NumberFormatException e) {
                        break;
                    }
                }
            }
        }
        String why = status.getMessage() != null ? status.getMessage()
                : status.getReason() != null ? status.getReason() : abbreviate(json);
        return Optional.of(new ExitStatus(-1, why));
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
