package dev.berth.k3s.kube;

import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.openapi.models.V1StatusCause;
import io.kubernetes.client.openapi.models.V1StatusDetails;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The API server's failure codes become Berth's typed, correctly retryable errors. */
class KubeErrorsTest {

    @Test
    void codesMapToTypedErrors() {
        assertThat(KubeErrors.map(404, status("not found"), "Deployment", "ns/app")).isInstanceOf(NotFoundException.class);
        assertThat(KubeErrors.map(409, status("modified"), "Deployment", "ns/app")).isInstanceOf(ConflictException.class)
                .matches(BerthException::retryable);
        assertThat(KubeErrors.map(401, status("Unauthorized"), "Namespace", "x")).isInstanceOf(AuthenticationException.class)
                .matches(e -> !e.retryable());
        assertThat(KubeErrors.map(403, status("forbidden"), "Namespace", "x")).isInstanceOf(AuthenticationException.class);
        assertThat(KubeErrors.map(500, status("etcd"), "Namespace", "x")).isInstanceOf(UnavailableException.class)
                .matches(BerthException::retryable);
        assertThat(KubeErrors.map(503, null, "Namespace", "x")).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("503");
        assertThat(KubeErrors.map(429, null, "Namespace", "x")).isInstanceOf(UnavailableException.class);
        assertThat(KubeErrors.map(0, null, "Namespace", "x")).isInstanceOf(UnavailableException.class);
        assertThat(KubeErrors.map(418, null, "Namespace", "x")).isExactlyInstanceOf(BerthException.class)
                .matches(e -> !e.retryable());
    }

    @Test
    void unprocessableNamesTheFieldTheServerRejected() {
        V1Status status = status("Deployment.apps \"app\" is invalid").details(new V1StatusDetails().causes(List.of(
                new V1StatusCause().field("spec.template.spec.containers[0].image").message("Required value"))));

        BerthException e = KubeErrors.map(422, status, "Deployment", "ns/app");

        assertThat(e).isInstanceOf(InvalidSpecException.class).matches(x -> !x.retryable());
        assertThat(((InvalidSpecException) e).field()).isEqualTo("Deployment.spec.template.spec.containers[0].image");
        assertThat(((InvalidSpecException) KubeErrors.map(400, status("bad"), "Service", "ns/s")).field()).isEqualTo("Service");
    }

    @Test
    void transportFailuresAreRetryableAndNameTheRootCause() {
        UnavailableException e = KubeErrors.transport("Namespace", "x",
                new IllegalStateException(new IOException("Connection refused")));
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).contains("IOException", "Connection refused");
    }

    private static V1Status status(String message) {
        return new V1Status().message(message);
    }
}
