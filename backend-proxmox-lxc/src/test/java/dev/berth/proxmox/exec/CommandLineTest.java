package dev.berth.proxmox.exec;

import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Quoting an argv into the one string of an SSH exec request. */
class CommandLineTest {

    /** Arguments a shell would otherwise expand, split, glob, substitute or run. */
    private static final List<String> NASTY = List.of("two  spaces", "'quoted'", "$HOME", "\"double\"", "", "a'b'c",
            "$(touch pwned)", "`touch pwned`", "; touch pwned", "back\\slash", "*", "~", "line\nbreak", "-n", "tab\there",
            "ünïcødé ✓", "'", "''", "!x", "{a,b}", "&& exit 7", "#comment", "%s");

    @Test
    void everyArgumentIsOneSingleQuotedWordAfterExec() {
        assertThat(CommandLine.of(List.of("echo", "two  spaces", "'quoted'", "$HOME"), null, "root"))
                .isEqualTo("exec 'echo' 'two  spaces' ''\\''quoted'\\''' '$HOME'");
        assertThat(CommandLine.quote("")).isEqualTo("''");
        assertThat(CommandLine.quote("it's")).isEqualTo("'it'\\''s'");
    }

    @Test
    void anotherUserGoesThroughRunuserAndTheLoginUserDoesNot() {
        assertThat(CommandLine.of(List.of("id", "-un"), "postgres", "root"))
                .isEqualTo("exec runuser -u 'postgres' -- 'id' '-un'");
        assertThat(CommandLine.of(List.of("id", "-un"), "root", "root")).isEqualTo("exec 'id' '-un'");
        assertThat(CommandLine.of(List.of("id", "-un"), null, "root")).isEqualTo("exec 'id' '-un'");
    }

    @Test
    void refusesWhatNoExecRequestCanCarryOrNoPlainUserIs() {
        assertThatThrownBy(() -> CommandLine.of(List.of("echo", "a\0b"), null, "root"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("argv"));
        for (String user : List.of("-r", "a b", "x;id", "$(id)", "")) {
            assertThatThrownBy(() -> CommandLine.of(List.of("true"), user, "root"))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("user"));
        }
    }

    /** The proof: a real POSIX shell given the line hands the program exactly the argv, and runs nothing else. */
    @Test
    void aRealShellReadsEveryArgumentBackUnchanged() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("quoting");
        List<String> argv = new ArrayList<>(List.of("printf", "[%s]\\n"));
        argv.addAll(NASTY);

        Process p = new ProcessBuilder("/bin/sh", "-c", CommandLine.of(argv, null, "root")).directory(dir.toFile())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        StringBuilder expected = new StringBuilder();
        NASTY.forEach(a -> expected.append('[').append(a).append("]\n"));
        assertThat(out).isEqualTo(expected.toString());
        assertThat(p.exitValue()).isZero();
        try (var files = Files.list(dir)) {
            assertThat(files).as("nothing ran but printf").isEmpty();
        }
    }
}
