package dev.berth.docker.create;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CrashWatchTest {

    @Test
    void secretsAreMaskedWholeBeforeLinesAreCutAndOnlyTheLastLinesAreKept() {
        List<String> lines = List.of("one", "two", "three", "four", "key=abc-LONGER-abc", "pw=abc", "x".repeat(400) + "abc");

        List<String> quoted = CrashWatch.quote(lines, List.of("abc", "abc-LONGER-abc", ""));

        assertThat(quoted).hasSize(CrashWatch.LOG_LINES).doesNotContain("one", "two");
        assertThat(quoted.get(2)).isEqualTo("key=****");
        assertThat(quoted.get(3)).isEqualTo("pw=****");
        assertThat(quoted.get(4)).hasSize(CrashWatch.MAX_LINE_CHARS + 1).doesNotContain("abc");
        assertThat(String.join("\n", quoted)).doesNotContain("abc", "LONGER");
    }

    @Test
    void exitedRestartingPastTheLimitAndOomKilledAreFailures() throws Exception {
        assertThat(CrashWatch.failure(state("running", true, false, false, 0), 0)).isNull();
        assertThat(CrashWatch.failure(state("restarting", true, true, false, 1), CrashWatch.MAX_RESTARTS)).isNull();
        assertThat(CrashWatch.failure(state("restarting", true, true, false, 1), CrashWatch.MAX_RESTARTS + 1))
                .contains("keeps restarting").contains("last exit code 1");
        assertThat(CrashWatch.failure(state("exited", false, false, false, 3), 0)).isEqualTo("exited with code 3");
        assertThat(CrashWatch.failure(state("restarting", true, true, true, 137), 1)).contains("lack of memory");
    }

    private static InspectContainerResponse state(String status, boolean running, boolean restarting, boolean oom, int exit)
            throws Exception {
        String json = """
                {"State": {"Status": "%s", "Running": %s, "Restarting": %s, "OOMKilled": %s, "ExitCode": %d}}
                """.formatted(status, running, restarting, oom, exit);
        return new ObjectMapper().readValue(json, InspectContainerResponse.class);
    }
}
