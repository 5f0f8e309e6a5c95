package dev.berth.testkit.image;

import dev.berth.spi.wait.Poll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real app images Berth's {@code AppsIT} tier runs (n8n from npm, WordPress and MariaDB from Debian), built on
 * this machine by {@code testkit/scripts/app-images.sh} because no image registry is reachable. The images are
 * built once per machine: the CI script starts the build in the background (the n8n image takes about 12 minutes
 * of two cores) while other modules test, and a test that needs an image waits here for that build to finish, or
 * builds the image itself when no build is running. A failed build fails the test with the build's log; nothing
 * is skipped.
 */
public final class AppImages {

    /** The n8n version the built-in catalog pins and the script builds. */
    public static final String N8N_VERSION = "2.33.5";
    /** The n8n image, as the catalog's {@code docker.n8n.io/n8nio/n8n:{version}} is replaced. */
    public static final String N8N = "berth-apps/n8n:{version}";
    /** WordPress 6.1 on Apache + PHP 8.2 from Debian bookworm (the catalog names 6.7.1, which no reachable registry has). */
    public static final String WORDPRESS = "berth-apps/wordpress:debian-bookworm";
    /** MariaDB 10.11 from Debian bookworm (the catalog names 11.4.4). */
    public static final String MARIADB = "berth-apps/mariadb:debian-bookworm";

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(45);

    private AppImages() {
    }

    /** The catalog image replacements that make the built-in entries run these images (see {@code Catalog.withImages}). */
    public static Map<String, String> catalogImages() {
        return Map.of("docker.n8n.io/n8nio/n8n:{version}", N8N,
                "wordpress:{version}-php8.3-apache", WORDPRESS,
                "mariadb:11.4.4", MARIADB);
    }

    /** Makes sure the n8n image exists, waiting for a background build or building it. */
    public static void ensureN8n() {
        ensure(N8N.replace("{version}", N8N_VERSION), "n8n");
    }

    /** Makes sure the WordPress and MariaDB images exist. */
    public static void ensureWordpress() {
        ensure(WORDPRESS, "wordpress");
        ensure(MARIADB, "wordpress");
    }

    private static void ensure(String tag, String target) {
        Path run = Path.of(Optional.ofNullable(System.getenv("BERTH_APPS_RUN")).orElse("/var/tmp/berth-apps"));
        Path status = run.resolve("status");
        Path log = run.resolve("build.log");
        if (Files.exists(log) && !Files.exists(status) && running(run.resolve("pid"))) {
            // a background build (started by test.sh) is under way: wait for it rather than start a second one
            Poll.every(Duration.ofSeconds(5)).atMost(BUILD_TIMEOUT).untilTrue(() -> Files.exists(status),
                    () -> new IllegalStateException("the background app image build did not finish within " + BUILD_TIMEOUT
                            + "; log " + log + ":\n" + tail(log)));
        }
        // builds what is missing or stale (the script checks each image's recipe), a no-op when all is there
        Result r = run(List.of("bash", script().toString(), "build", target), BUILD_TIMEOUT);
        if (r.exit() != 0 || !exists(tag)) {
            throw new IllegalStateException("building app image " + tag + " failed (exit " + r.exit() + "):\n"
                    + r.output() + (Files.exists(log) ? "\nbackground build log " + log + ":\n" + tail(log) : ""));
        }
    }

    /** True when the pid file names a live process (a build killed with its machine leaves a stale one). */
    private static boolean running(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static boolean exists(String tag) {
        return run(List.of("docker", "image", "inspect", tag), Duration.ofSeconds(30)).exit() == 0;
    }

    /** testkit/scripts/app-images.sh, found from the module directory a test runs in. */
    static Path script() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("testkit/scripts/app-images.sh");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("testkit/scripts/app-images.sh not found above " + Path.of("").toAbsolutePath());
    }

    private record Result(int exit, String output) { }

    private static Result run(List<String> command, Duration timeout) {
        try {
            Path out = Files.createTempFile("berth-app-images", ".log");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Result(-1, "timed out after " + timeout + ": " + String.join(" ", command));
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building app images", e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}
