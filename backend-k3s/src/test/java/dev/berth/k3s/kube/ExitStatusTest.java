package dev.berth.k3s.kube;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading the v4 exec protocol's status channel, with the Status objects a kubelet sends. */
class ExitStatusTest {

    @Test
    void successIsExitCodeZero() {
        assertThat(ExitStatus.parse("{\"metadata\":{},\"status\":\"Success\"}")).contains(new ExitStatus(0, null));
    }

    @Test
    void nonZeroExitCodeIsReadFromItsCause() {
        String json = "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: "
                + "error executing command [sh -c exit 3], exit code 3\",\"reason\":\"NonZeroExitCode\","
                + "\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"3\"}]}}";

        ExitStatus status = ExitStatus.parse(json).orElseThrow();

        assertThat(status.exitCode()).isEqualTo(3);
        assertThat(status.exited()).isTrue();
    }

    @Test
    void anotherFailureMeansTheCommandDidNotRun() {
        String json = "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"OCI runtime exec failed: exec: \\\"nosuch\\\": "
                + "executable file not found in $PATH: unknown\",\"reason\":\"InternalError\"}";

        ExitStatus status = ExitStatus.parse(json).orElseThrow();

        assertThat(status.exited()).isFalse();
        assertThat(status.exitCode()).isEqualTo(-1);
        assertThat(status.failure()).contains("executable file not found");
    }

    @Test
    void anExitCodeCauseThatIsNoNumberIsAFailure() {
        String json = "{\"status\":\"Failure\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"x\"}]}}";

        assertThat(ExitStatus.parse(json).orElseThrow().exited()).isFalse();
    }

    @Test
    void noStatusIsEmptyAndGarbageIsAFailure() {
        assertThat(ExitStatus.parse("")).isEmpty();
        assertThat(ExitStatus.parse(null)).isEmpty();
        assertThat(ExitStatus.parse("not json {").orElseThrow().failure()).startsWith("unreadable exec status");
    }
}
