package dev.berth.docker;

import dev.berth.spi.ExecCommand;
import dev.berth.spi.ExecResult;
import dev.berth.spi.ExecSupport;
import dev.berth.spi.error.UnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Docker exec beyond the TCK: the user switch, bounded output and the timeout, on the non-root test image. */
class DockerExecLimitsIT {

    private static DockerProvider provider;
    private static final String ID = "exec-limits-" + Long.toHexString(System.nanoTime());

    @BeforeAll
    static void provision() {
        provider = DockerTestEnv.localProvider();
        provider.provision(DockerNonRootAppIT.request(ID, NonRootTestImage.component(Map.of(), Map.of(), Duration.ofSeconds(30))));
    }

    @AfterAll
    static void close() {
        if (provider != null) {
            provider.terminate(ID);
            assertThat(DockerTestEnv.leftovers(provider, ID)).as("leftovers").isEmpty();
            provider.close();
        }
    }

    @Test
    void runsAsTheImagesUserUnlessAnotherIsNamed() {
        assertThat(exec().exec(ID, ExecCommand.of("app", "id", "-u")).stdout()).isEqualTo(NonRootTestImage.UID + "\n");
        assertThat(exec().exec(ID, ExecCommand.of("app", "id", "-u").asUser("0")).stdout()).isEqualTo("0\n");
    }

    @Test
    void outputIsBoundedAndTheRestDrained() {
        ExecResult r = exec().exec(ID, ExecCommand.of("app", "sh", "-c", "yes 0123456789 | head -c 1000000; echo done >&2"));

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).hasSize(ExecResult.MAX_OUTPUT_CHARS);
        assertThat(r.stderr()).isEqualTo("done\n");
        assertThat(r.truncated()).isTrue();
    }

    @Test
    void aCommandOutlivingItsTimeoutIsARetryableError() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> exec().exec(ID, ExecCommand.of("app", "sleep", "30").withTimeout(Duration.ofSeconds(1))))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("did not finish within PT1S");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    private static ExecSupport exec() {
        return provider.exec().orElseThrow();
    }
}
