package dev.berth.docker;

import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.UnauthorizedException;
import dev.berth.core.error.AuthenticationException;
import dev.berth.core.error.BerthException;
import dev.berth.core.error.InvalidSpecException;
import dev.berth.core.error.UnavailableException;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.ConnectException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DockerErrorsTest {

    @Test
    void daemonAnswersBecomeTypedErrors() {
        assertThat(DockerErrors.map("h", "create container x", new ConflictException("name in use")))
                .isInstanceOf(dev.berth.core.error.ConflictException.class).satisfies(e -> assertThat(e.retryable()).isTrue());
        assertThat(DockerErrors.map("h", "create container x", new BadRequestException("invalid memory")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("create container x");
                    assertThat(e.retryable()).isFalse();
                });
        assertThat(DockerErrors.map("h", "ping", new UnauthorizedException("bad cert"))).isInstanceOf(AuthenticationException.class);
        assertThat(DockerErrors.map("h", "start", new InternalServerErrorException("oci runtime")))
                .isInstanceOf(UnavailableException.class).satisfies(e -> assertThat(e.retryable()).isTrue());
    }

    @Test
    void unreachableDaemonIsRetryableAndNamesTheHost() {
        RuntimeException transport = new RuntimeException(new UncheckedIOException(new ConnectException("Connection refused")));

        BerthException e = DockerErrors.map("edge-1", "list containers", transport);

        assertThat(e).isInstanceOf(UnavailableException.class).hasMessageContaining("edge-1").hasMessageContaining("Connection refused");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void notFoundIsLeftToTheCallerAndOtherFailuresAreNotRetried() {
        assertThatThrownBy(() -> DockerErrors.call("h", "inspect", () -> {
            throw new NotFoundException("no such container");
        })).isInstanceOf(NotFoundException.class);
        assertThat(DockerErrors.map("h", "x", new IllegalStateException("bug"))).satisfies(e -> assertThat(e.retryable()).isFalse());
    }
}
