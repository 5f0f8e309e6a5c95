package dev.berth.docker;

import dev.berth.spi.ComponentSpec;
import dev.berth.spi.SecretValue;
import dev.berth.testkit.image.TestAppImage;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A test image shaped like the official n8n image: it runs as a non-root user (uid {@value #UID}) whose data
 * directory {@value #DATA} belongs to that user in the image and holds a seed file. At start it writes
 * {@value #STARTED} and exits 1 when it cannot (as n8n crash-loops with EACCES), then serves {@code /health} on
 * {@value #PORT}. With {@code CRASH_MESSAGE} set it prints {@code APP_SECRET} and that message and exits 3 at once.
 * The rootfs tar is written here (owners set per entry, so no root or chown is needed) and {@code docker import}ed.
 */
final class NonRootTestImage {

    static final int UID = 1000;
    static final int PORT = 8080;
    static final String DATA = "/data";
    static final String SEED = DATA + "/seed.txt";
    static final String SEED_CONTENT = "seeded by the image\n";
    static final String STARTED = DATA + "/started";

    private static final List<String> APPLETS = List.of("sh", "id", "echo", "cat", "httpd", "stat", "ls", "printf",
            "env", "touch", "mkdir", "kill", "sleep", "true", "false", "yes", "head");

    private static final String START = """
            #!/bin/sh
            # like n8n: a non-root user that needs its data directory writable
            if [ -n "$CRASH_MESSAGE" ]; then
              echo "booting with key $APP_SECRET"
              echo "$CRASH_MESSAGE" >&2
              exit 3
            fi
            if ! echo "started by $(id -u)" > /data/started; then
              echo "cannot write /data as uid $(id -u)" >&2
              exit 1
            fi
            exec httpd -f -p %d -h /www
            """.formatted(PORT);

    private NonRootTestImage() {
    }

    /** The image tag, built on the default daemon when missing (the tag names the recipe's hash). */
    static synchronized String ensure() {
        String tag = "berth-test-nonroot:" + recipe();
        if (docker(null, "image", "inspect", tag) == 0) {
            return tag;
        }
        Path tar = null;
        try {
            tar = Files.createTempFile("berth-nonroot-", ".tar");
            writeRootfs(tar);
            int code = docker(tar, "import", "--change", "USER " + UID, "--change", "CMD [\"/start.sh\"]",
                    "--change", "ENV PATH=/bin", "--change", "EXPOSE " + PORT, "-", tag);
            if (code != 0) throw new IllegalStateException("docker import " + tag + " failed: exit " + code);
            return tag;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (tar != null) tar.toFile().delete();
        }
    }

    /** One HTTP component "app" of this image with its data volume and readiness probe. */
    static ComponentSpec component(Map<String, String> env, Map<String, SecretValue> secretEnv, Duration readiness) {
        return new ComponentSpec("app", ensure(), null, List.of(new ComponentSpec.Port("http", PORT)),
                List.of(new ComponentSpec.Volume("data", DATA)), env, secretEnv,
                new ComponentSpec.Readiness("/health", PORT, readiness), true);
    }

    private static void writeRootfs(Path tar) throws IOException {
        try (OutputStream file = Files.newOutputStream(tar); TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String d : List.of("bin", "etc", "proc", "sys", "dev", "www", "tmp")) {
                dir(out, d, 0, d.equals("tmp") ? 01777 : 0755);
            }
            dir(out, "data", UID, 0755);
            file(out, "data/seed.txt", UID, 0644, SEED_CONTENT.getBytes(StandardCharsets.UTF_8));
            file(out, "bin/busybox", 0, 0755, Files.readAllBytes(Path.of(TestAppImage.BUSYBOX)));
            for (String applet : APPLETS) {
                TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("busybox");
                out.putArchiveEntry(link);
                out.closeArchiveEntry();
            }
            file(out, "etc/passwd", 0, 0644, ("root:x:0:0:root:/root:/bin/sh\napp:x:" + UID + ":" + UID + ":app:/data:/bin/sh\n")
                    .getBytes(StandardCharsets.UTF_8));
            file(out, "etc/group", 0, 0644, ("root:x:0:\napp:x:" + UID + ":\n").getBytes(StandardCharsets.UTF_8));
            file(out, "www/health", 0, 0644, "ok\n".getBytes(StandardCharsets.UTF_8));
            file(out, "start.sh", 0, 0755, START.getBytes(StandardCharsets.UTF_8));
            out.finish();
        }
    }

    private static void dir(TarArchiveOutputStream out, String name, int owner, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name + "/");
        e.setIds(owner, owner);
        e.setMode(TarArchiveEntry.DEFAULT_DIR_MODE & ~07777 | mode);
        out.putArchiveEntry(e);
        out.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream out, String name, int owner, int mode, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setIds(owner, owner);
        e.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~07777 | mode);
        e.setSize(content.length);
        out.putArchiveEntry(e);
        out.write(content);
        out.closeArchiveEntry();
    }

    private static String recipe() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((START + APPLETS + UID + SEED_CONTENT).getBytes(StandardCharsets.UTF_8));
            md.update(Files.readAllBytes(Path.of(TestAppImage.BUSYBOX)));
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the docker CLI on the default daemon, with {@code stdin} as input when given; returns its exit code. */
    private static int docker(Path stdin, String... args) {
        try {
            ProcessBuilder pb = new ProcessBuilder(concat(args)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            if (stdin != null) pb.redirectInput(stdin.toFile());
            Process p = pb.start();
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running docker", e);
        }
    }

    private static List<String> concat(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
