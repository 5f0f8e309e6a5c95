package dev.berth.testkit.image;

import dev.berth.core.catalog.AppComponent;
import dev.berth.core.catalog.AppTemplate;
import dev.berth.core.catalog.Licence;
import dev.berth.core.catalog.PortSpec;
import dev.berth.core.catalog.ProbeSpec;
import dev.berth.core.catalog.SecretSpec;
import dev.berth.core.catalog.VolumeSpec;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.SecretValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the tiny app image Berth's container tests run, without any registry: a rootfs made of Debian's
 * {@code busybox-static} ({@value #BUSYBOX}, with every applet linked into {@code /bin}) imported with
 * {@code docker import}. The container runs busybox {@code httpd} on {@value #PORT} (or {@code $PORT}) and serves:
 * <ul>
 *   <li>{@value #HEALTH_PATH}: 200 "ok" (the readiness probe), missing (404) in the {@link #UNREADY} variant</li>
 *   <li>{@value #VERSION_PATH}: the image's version</li>
 *   <li>{@value #ENV_PATH}: a CGI printing the process environment, to prove env and secrets arrived</li>
 * </ul>
 * {@value #DATA_PATH} is the data directory tests mount a volume on. {@value #FETCH} {@code HOST PORT PATH} prints
 * what another container answers (busybox-static's {@code wget} cannot resolve names by itself). Tags are {@code berth-test-app:<version>}
 * for {@link #V1}, {@link #V2} and {@link #UNREADY}. An existing tag built from the same recipe is reused, so
 * building is cheap after the first time; building twice concurrently is harmless (same content, same tag).
 */
public final class TestAppImage {

    /** Image repository. */
    public static final String REPOSITORY = "berth-test-app";
    /** The first version. */
    public static final String V1 = "1.0.0";
    /** The version upgrades go to. */
    public static final String V2 = "1.1.0";
    /** A version whose readiness probe never passes, for upgrade rollback tests. */
    public static final String UNREADY = "1.2.0-unready";
    /** Port httpd listens on unless {@code PORT} is set. */
    public static final int PORT = 8080;
    /** Readiness path. */
    public static final String HEALTH_PATH = "/health";
    /** Path answering the version. */
    public static final String VERSION_PATH = "/version";
    /** CGI path answering the environment, one {@code KEY=value} per line. */
    public static final String ENV_PATH = "/cgi-bin/env";
    /** Data directory (mount a volume here). */
    public static final String DATA_PATH = "/data";
    /** Script fetching {@code http://HOST:PORT/PATH} from inside a container, resolving names first. */
    public static final String FETCH = "/fetch.sh";
    /** Catalog id of {@link #template()}. */
    public static final String APP_ID = "berth-test-app";
    /** The generated secret of {@link #template()}, in the env under this name. */
    public static final String SECRET = "APP_SECRET";
    /** Where Debian's busybox-static installs the binary. */
    public static final String BUSYBOX = "/bin/busybox";

    private static final String RECIPE_ENV = "BERTH_TEST_IMAGE_RECIPE";
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

    private TestAppImage() {
    }

    /** {@code berth-test-app:<version>}. */
    public static String image(String version) {
        return REPOSITORY + ":" + version;
    }

    /** Builds {@link #V1}, {@link #V2} and {@link #UNREADY} on the default Docker daemon when missing. */
    public static void ensureAll() {
        ensureAll(null);
    }

    /**
     * Builds {@link #V1}, {@link #V2} and {@link #UNREADY} on the daemon at {@code dockerHost} (a
     * {@code DOCKER_HOST} value such as {@code unix:///run/other.sock}; null for the default) when missing.
     */
    public static void ensureAll(String dockerHost) {
        for (String v : List.of(V1, V2, UNREADY)) {
            ensure(dockerHost, v);
        }
    }

    /**
     * Builds one version on the daemon at {@code dockerHost} (null for the default) unless the tag exists and
     * was built from the same recipe. Fails with an {@link IllegalStateException} carrying the CLI's output
     * when Docker or busybox is missing.
     */
    public static String ensure(String dockerHost, String version) {
        String tag = image(version);
        String recipe = recipe(version);
        Result inspect = run(docker(dockerHost, "image", "inspect", "-f", "{{json .Config.Env}}", tag));
        if (inspect.code() == 0 && inspect.output().contains(RECIPE_ENV + "=" + recipe)) {
            return tag;
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("berth-test-image-");
            Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
            writeRootfs(rootfs, version);
            Path tar = dir.resolve("rootfs.tar");
            check(run(List.of("tar", "--numeric-owner", "--owner=0", "--group=0", "-C", rootfs.toString(), "-cf", tar.toString(), ".")), "tar of the rootfs");
            check(run(docker(dockerHost, "import",
                    "--change", "CMD [\"/start.sh\"]",
                    "--change", "ENV PATH=/bin",
                    "--change", "ENV " + RECIPE_ENV + "=" + recipe,
                    "--change", "EXPOSE " + PORT,
                    tar.toString(), tag)), "docker import " + tag);
            return tag;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * A component of the test app at {@code version}: the image, port {@value #PORT}, a volume {@code data} on
     * {@value #DATA_PATH} and the HTTP readiness probe on {@value #HEALTH_PATH} with the given timeout.
     */
    public static ComponentSpec component(String name, String version, boolean http, Map<String, String> env,
                                          Map<String, SecretValue> secretEnv, Duration readinessTimeout) {
        return new ComponentSpec(name, image(version), null, List.of(new ComponentSpec.Port("http", PORT)),
                List.of(new ComponentSpec.Volume("data", DATA_PATH)), env, secretEnv,
                new ComponentSpec.Readiness(HEALTH_PATH, PORT, readinessTimeout), http);
    }

    /**
     * A catalog entry for the test app (id {@value #APP_ID}), so that a whole Berth can run it on a Docker host
     * without a registry: one HTTP component on {@value #PORT} with the {@code data} volume on
     * {@value #DATA_PATH}, a generated secret {@value #SECRET} handed in as env, and the health probe.
     * Versions {@link #V1} (default), {@link #V2} and {@link #UNREADY}.
     */
    public static AppTemplate template() {
        AppComponent app = new AppComponent("app", REPOSITORY + ":{version}", null, List.of(new PortSpec("http", PORT)),
                List.of(new VolumeSpec("data", DATA_PATH)),
                Map.of("APP_URL", "${url}", SECRET, "${secret." + SECRET + "}"),
                new ProbeSpec(HEALTH_PATH, PORT, Duration.ofSeconds(30)), true);
        return new AppTemplate(APP_ID, "Berth test app", "busybox httpd reporting its env; for tests and demos", V1,
                List.of(V1, V2, UNREADY), "docker", List.of(app),
                List.of(new SecretSpec(SECRET, 24, SecretSpec.Alphabet.ALPHANUMERIC)),
                new Licence("GPL-2.0-only", "busybox; test image, not a product", false), null);
    }

    // ---------------------------------------------------------------- the rootfs

    private static void writeRootfs(Path root, String version) throws IOException {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of(BUSYBOX), bin.resolve("busybox"));
        for (String applet : applets()) {
            if (!applet.equals("busybox")) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
        }
        for (String d : List.of("data", "tmp", "etc", "proc", "sys", "dev", "www/cgi-bin")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        executable(root.resolve("start.sh"), startScript());
        executable(root.resolve("www/cgi-bin/env"), envCgi());
        executable(root.resolve("fetch.sh"), fetchScript());
        Files.writeString(root.resolve("www/version"), version + "\n");
        if (!UNREADY.equals(version)) {
            Files.writeString(root.resolve("www" + HEALTH_PATH), "ok\n");
        }
    }

    private static String startScript() {
        return """
                #!/bin/sh
                # berth test app: busybox httpd in the foreground, so the container lives as long as it serves
                mkdir -p /data
                exec /bin/busybox httpd -f -p "${PORT:-%d}" -h /www
                """.formatted(PORT);
    }

    private static String fetchScript() {
        return """
                #!/bin/sh
                # usage: /fetch.sh HOST PORT PATH -- prints the body, fails when HOST:PORT does not answer in 3 s.
                # busybox-static's wget crashes resolving names (a static glibc has no NSS) and with -T, so names
                # are resolved with busybox's own nslookup first and the time limit comes from timeout.
                host="$1"
                case "$host" in
                  *[!0-9.]*) host=$(nslookup "$1" 2>/dev/null | awk '/^Name:/ {found=1} found && /^Address/ {print $NF; exit}') ;;
                esac
                [ -n "$host" ] || { echo "cannot resolve $1" >&2; exit 2; }
                exec timeout 3 wget -q -O - "http://$host:$2$3"
                """;
    }

    private static String envCgi() {
        return """
                #!/bin/sh
                echo "Content-Type: text/plain"
                echo ""
                env
                """;
    }

    private static List<String> applets() {
        Result r = run(List.of(BUSYBOX, "--list"));
        check(r, BUSYBOX + " --list (install Debian's busybox-static)");
        return r.output().lines().map(String::strip).filter(s -> !s.isEmpty() && !s.contains("/")).toList();
    }

    /** Hash of everything that goes into the image, so a changed recipe rebuilds a stale tag. */
    private static String recipe(String version) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((version + "\n" + startScript() + envCgi() + fetchScript() + HEALTH_PATH + UNREADY).getBytes(StandardCharsets.UTF_8));
            md.update(Files.readAllBytes(Path.of(BUSYBOX)));
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new IllegalStateException(BUSYBOX + " is missing: install Debian's busybox-static (test.sh does)", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void executable(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    // ---------------------------------------------------------------- processes

    private record Result(int code, String output) { }

    private static List<String> docker(String dockerHost, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        if (dockerHost != null) {
            cmd.add("-H");
            cmd.add(dockerHost);
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Result run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + out);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command.get(0), e);
        }
    }

    private static void check(Result r, String what) {
        if (r.code() != 0) {
            throw new IllegalStateException(what + " failed (exit " + r.code() + "): " + r.output().strip());
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException ignored) {
                    // a temp directory left behind is harmless
                }
            });
        } catch (IOException ignored) {
            // same
        }
    }
}
