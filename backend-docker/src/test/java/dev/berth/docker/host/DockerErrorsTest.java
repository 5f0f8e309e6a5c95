package dev.berth.docker.host;

import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.UnauthorizedException;
import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.UnavailableException;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.ConnectException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DockerErrorsTest {

    @Test
    void daemonAnswersBecomeTypedErrors() {
        assertThat(DockerErrors.map("h", "create container x", new ConflictException("name in use")))
                .isInstanceOf(dev.berth.spi.error.ConflictException.class).satisfies(e -> assertThat(e.retryable()).isTrue());
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
    void everyTranslatedErrorKeepsTheDaemonsAnswerAsItsCause() {
        for (RuntimeException answer : new RuntimeException[]{new ConflictException("name in use"),
                new BadRequestException("invalid memory"), new UnauthorizedException("bad cert"),
                new InternalServerErrorException("oci runtime"), new IllegalStateException("bug")}) {
            assertThat(DockerErrors.map("h", "create container x", answer)).as(answer.getClass().getSimpleName())
                    .hasCause(answer);
        }
    }

    @Test
    void unreachableDaemonIsRetryableAndNamesTheHost() {
        RuntimeException transport = new RuntimeException(new UncheckedIOException(new ConnectException("Connection refused")));

        BerthException e = DockerErrors.map("edge-1", "list containers", transport);

        assertThat(e).isInstanceOf(UnavailableException.class).hasMessageContaining("edge-1").hasMessageContaining("Connection refused");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void aVanishedObjectIsARetryableConflictAndOtherFailuresAreNotRetried() {
        assertThatThrownBy(() -> DockerErrors.call("h", "inspect container c1", () -> {
            throw new NotFoundException("no such container");
        })).isInstanceOfSatisfying(DockerErrors.MissingObjectException.class, e -> {
            assertThat(e).isInstanceOf(dev.berth.spi.error.ConflictException.class).hasMessageContaining("inspect container c1");
            assertThat(e.retryable()).isTrue();
        });
        assertThat(DockerErrors.map("h", "x", new IllegalStateException("bug"))).satisfies(e -> assertThat(e.retryable()).isFalse());
    }
}
