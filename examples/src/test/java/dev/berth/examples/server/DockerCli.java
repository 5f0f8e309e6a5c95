package dev.berth.examples.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The {@code docker} CLI, for tests that look at what the server did on the real engine. */
final class DockerCli {

    private DockerCli() {
    }

    /** Runs {@code docker args…}; fails the test on a non-zero exit. Returns trimmed stdout+stderr. */
    static String run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            if (p.exitValue() != 0) throw new IllegalStateException(cmd + " failed (" + p.exitValue() + "): " + out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("docker CLI missing? " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Lines of output, without blanks. */
    static List<String> lines(String... args) {
        return run(args).lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
