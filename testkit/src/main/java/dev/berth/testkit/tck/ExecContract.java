package dev.berth.testkit.tck;

import dev.berth.spi.ExecCommand;
import dev.berth.spi.ExecResult;
import dev.berth.spi.ExecSupport;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.NotFoundException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TCK: running a command inside a running component ({@link dev.berth.spi.RuntimeProvider#exec()}). Extend it only
 * if the provider offers exec; every test here fails when the capability is missing. A provider without exec
 * says so by returning an empty {@code exec()}.
 */
public abstract class ExecContract extends ProviderTckSupport {

    /** The provider declares the exec capability. */
    @Test
    public void capabilityDeclared() {
        assertThat(target().provider().exec()).as("provider().exec()").isPresent();
    }

    /** What the command reads on stdin (where secrets go) comes back on stdout byte for byte, exit code 0. */
    @Test
    public void stdinReachesTheCommandAndStdoutComesBack() {
        String id = newInstanceId();
        provisionRunning(id);
        String input = "owner@example.test\nnot-a-real-password: s3cr3t ✓\n";

        ExecResult result = exec().exec(id, ExecCommand.of(target().execComponent(id), "cat")
                .withStdin(SecretValue.of(input)));

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).isEqualTo(input);
        assertThat(result.truncated()).isFalse();
        assertThat(result.toString()).as("toString shows no output").doesNotContain("s3cr3t");
    }

    /** A failing command's exit code and stderr are reported, not turned into an exception. */
    @Test
    public void exitCodeAndStderrAreReported() {
        String id = newInstanceId();
        provisionRunning(id);

        ExecResult result = exec().exec(id, ExecCommand.of(target().execComponent(id),
                "sh", "-c", "echo partial; echo 'config file is broken' >&2; exit 3"));

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.stdout()).isEqualTo("partial\n");
        assertThat(result.lastLine()).isEqualTo("config file is broken");
    }

    /** Arguments reach the program one by one, spaces and quotes included, with no shell in between. */
    @Test
    public void argumentsArePassedWithoutAShell() {
        String id = newInstanceId();
        provisionRunning(id);

        ExecResult result = exec().exec(id, ExecCommand.of(target().execComponent(id),
                "echo", "two  spaces", "'quoted'", "$HOME"));

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).isEqualTo("two  spaces 'quoted' $HOME\n");
    }

    /** An instance or component the runtime does not hold is a NotFoundException. */
    @Test
    public void unknownInstanceOrComponentIsNotFound() {
        String id = newInstanceId();
        provisionRunning(id);

        assertThatThrownBy(() -> exec().exec(newInstanceId(), ExecCommand.of(target().execComponent(id), "true")))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> exec().exec(id, ExecCommand.of("no-such-component", "true")))
                .isInstanceOf(NotFoundException.class);
    }

    /** A suspended instance has nothing to run the command in: a retryable error, and the instance stays stopped. */
    @Test
    public void suspendedInstanceIsARetryableError() {
        String id = newInstanceId();
        provisionRunning(id);
        target().provider().suspend(id);

        assertThatThrownBy(() -> exec().exec(id, ExecCommand.of(target().execComponent(id), "true")))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.retryable()).as("retryable").isTrue());
    }

    private ExecSupport exec() {
        return target().provider().exec().orElseThrow(() -> new AssertionError("provider offers no exec()"));
    }
}
