package dev.berth.k3s.backup;

import dev.berth.k3s.K3sSettings;
import dev.berth.k3s.kube.BoundedOutput;
import dev.berth.k3s.kube.ExitStatus;
import dev.berth.k3s.kube.KubeApi;
import dev.berth.k3s.kube.PodExec;
import dev.berth.k3s.objects.InstanceObjects;
import dev.berth.k3s.objects.InstanceSpec;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.wait.Poll;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobCondition;
import io.kubernetes.client.openapi.models.V1Pod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Moves the contents of an instance's PVCs in and out of the cluster as one tar stream, the way
 * {@code kubectl cp} does: an archiver Job mounts the claims ({@link InstanceObjects#archiverJob}), and Berth runs
 * {@code tar} in its pod through the API server's {@code pods/exec} ({@link PodExec}), reading
 * the archive from stdout or feeding it to stdin. The archive's top-level directories are the claim names.
 *
 * <p>Nothing but the API server is needed between Berth and the cluster: no object store the cluster must
 * reach, no port on the Berth side. One archiver runs per instance at a time (its quota holds one pod); a Job
 * left behind by a crashed attempt is deleted before the next one starts, and every Job is deleted when its
 * exec is done, whether it succeeded or not.
 */
final class ClaimArchiver {

    private static final Logger log = LoggerFactory.getLogger(ClaimArchiver.class);
    private static final Duration POLL = Duration.ofMillis(500);
    /** Pod waiting reasons that will not resolve by waiting. */
    private static final Set<String> HOPELESS = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError");
    private static final int STDERR_LIMIT = 2048;
    /** How much of the archive the pipe between the exec stream and the consumer holds. */
    private static final int PIPE_SIZE = 256 * 1024;

    /**
     * Unpacks stdin (exactly {@code $1} bytes: the v4 exec protocol cannot signal the end of stdin) into scratch
     * space, checks that every claim ({@code $2...}) has its directory there, and only then replaces each claim's
     * contents, so a failed unpack leaves the claims untouched.
     */
    private static final String RESTORE_SCRIPT = """
            set -e
            size=$1; shift
            work=%1$s/restore
            rm -rf "$work"; mkdir -p "$work"
            head -c "$size" | tar -x -f - -C "$work"
            for c in "$@"; do [ -d "$work/$c" ] || { echo "the archive holds no data for claim $c" >&2; exit 3; }; done
            for c in "$@"; do
              rm -rf "%2$s/$c/"* "%2$s/$c/".[!.]* "%2$s/$c/"..?*
              cp -a "$work/$c/." "%2$s/$c/"
            done
            rm -rf "$work"
            """.formatted(InstanceObjects.ARCHIVER_SCRATCH, InstanceObjects.ARCHIVER_VOLUMES);

    private final KubeApi kube;
    private final InstanceObjects objects;
    private final K3sSettings settings;
    private final PodExec podExec;

    ClaimArchiver(KubeApi kube, InstanceObjects objects, K3sSettings settings) {
        this.kube = kube;
        this.objects = objects;
        this.settings = settings;
        this.podExec = new PodExec(kube.client());
    }

    /**
     * Archives the claims and hands the tar stream to {@code consumer}, which must read it to the end. The stream
     * throws an IOException at its end when tar failed, so a consumer that stores it never keeps a partial
     * archive as if it were whole.
     *
     * @param node node the instance's pods run on, or null
     */
    <T> T backup(InstanceSpec spec, List<String> claims, String node, Function<InputStream, T> consumer) {
        String job = InstanceObjects.ARCHIVER + "-backup";
        String pod = start(spec, job, claims, true, node);
        try {
            List<String> command = new ArrayList<>(List.of("tar", "-c", "-f", "-", "-C", InstanceObjects.ARCHIVER_VOLUMES));
            command.addAll(claims);
            // the archive flows through a pipe: the exec stream writes it as it comes, the consumer reads at its pace
            PipedInputStream stdout = new PipedInputStream(PIPE_SIZE);
            OutputStream sink = new PipedOutputStream(stdout);
            BoundedOutput stderr = new BoundedOutput(STDERR_LIMIT);
            try (PodExec.Session tar = exec(spec, pod, command, false, sink, stderr);
                 InputStream archive = new CheckedEnd(stdout, tar, stderr, "tar in " + pod)) {
                return consumer.apply(archive);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            stop(spec, job);
        }
    }

    /**
     * Replaces the claims' contents with the archive's (a file of {@code size} bytes). The instance's pods must be
     * stopped: the claims are mounted read-write here.
     */
    void restore(InstanceSpec spec, List<String> claims, Path archive, long size) {
        String job = InstanceObjects.ARCHIVER + "-restore";
        String pod = start(spec, job, claims, false, null);
        try {
            List<String> command = new ArrayList<>(List.of("sh", "-c", RESTORE_SCRIPT, "restore", Long.toString(size)));
            command.addAll(claims);
            BoundedOutput stdout = new BoundedOutput(STDERR_LIMIT);
            BoundedOutput stderr = new BoundedOutput(STDERR_LIMIT);
            try (PodExec.Session sh = exec(spec, pod, command, true, stdout, stderr)) {
                try {
                    OutputStream in = sh.stdin();
                    Files.copy(archive, in);
                    in.flush();
                } catch (IOException e) {
                    throw new UnavailableException("streaming the archive to " + pod + " failed", e);
                }
                ExitStatus exit = sh.awaitExit(settings.archiverTimeout());
                if (exit.exitCode() != 0) {
                    throw new BerthException("restore in " + pod + (exit.exited() ? " exited with " + exit.exitCode()
                            : " could not run: " + exit.failure()) + ": " + stderr.message() + stdout.message(), true);
                }
            }
        } finally {
            stop(spec, job);
        }
    }

    // ------------------------------------------------------------------------------------------ Job lifecycle

    /** Creates the Job (after removing a leftover of the same name) and waits until its pod's container runs. */
    private String start(InstanceSpec spec, String job, List<String> claims, boolean readOnly, String node) {
        String ns = objects.namespace(spec.instanceId());
        Instant deadline = Instant.now().plus(settings.archiverTimeout());   // one deadline for both waits
        if (kube.delete(V1Job.class, ns, job)) {
            log.info("removed archiver Job {}/{} left by an earlier attempt", ns, job);
        }
        // its quota holds one pod: the old one must be gone first
        pollUntil(deadline).untilTrue(() -> pods(ns, job).isEmpty(),
                () -> timedOut("the earlier archiver pod of " + ns + " to go away"));
        kube.apply(objects.archiverJob(spec, job, claims, readOnly, node));
        AtomicReference<String> last = new AtomicReference<>("no pod yet");
        return pollUntil(deadline).until(() -> runningPod(ns, job, last),
                () -> timedOut("the archiver pod of " + ns + " to run (" + last.get() + ")"));
    }

    /**
     * The name of the Job's pod once its container runs; empty while it is still starting, with what it waits
     * for left in {@code last}. Throws when the Job or pod failed or cannot start.
     */
    private Optional<String> runningPod(String ns, String job, AtomicReference<String> last) {
        V1Job current = kube.get(V1Job.class, ns, job).orElseThrow(() ->
                new UnavailableException("archiver Job " + ns + "/" + job + " disappeared while starting"));
        if (current.getStatus() != null && current.getStatus().getConditions() != null) {
            for (V1JobCondition c : current.getStatus().getConditions()) {
                if ("Failed".equals(c.getType()) && "True".equals(c.getStatus())) {
                    throw new UnavailableException("archiver Job " + ns + "/" + job + " failed: " + c.getReason() + " " + c.getMessage());
                }
            }
        }
        for (V1Pod pod : pods(ns, job)) {
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            List<V1ContainerStatus> containers = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
                    ? List.of() : pod.getStatus().getContainerStatuses();
            if ("Running".equals(phase) && containers.stream().anyMatch(c -> c.getState() != null && c.getState().getRunning() != null)) {
                return Optional.of(pod.getMetadata().getName());
            }
            if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
                throw new UnavailableException("archiver pod " + ns + "/" + pod.getMetadata().getName() + " ended (" + phase + ") before use");
            }
            for (V1ContainerStatus c : containers) {
                if (c.getState() != null && c.getState().getWaiting() != null) {
                    String reason = c.getState().getWaiting().getReason();
                    last.set(reason + ": " + c.getState().getWaiting().getMessage());
                    if (HOPELESS.contains(reason)) {
                        throw new UnavailableException("archiver pod " + ns + "/" + pod.getMetadata().getName()
                                + " cannot start (" + last.get() + "); check archiverImage " + settings.archiverImage());
                    }
                }
            }
            if (phase != null) {
                last.set("pod " + phase);
            }
        }
        return Optional.empty();
    }

    /** A poll at the archiver's pace that gives up at {@code deadline} (at once when it has passed). */
    private static Poll pollUntil(Instant deadline) {
        Duration left = Duration.between(Instant.now(), deadline);
        return Poll.every(POLL).atMost(left.isNegative() ? Duration.ZERO : left);
    }

    private static UnavailableException timedOut(String what) {
        return new UnavailableException("timed out waiting for " + what);
    }

    private void stop(InstanceSpec spec, String job) {
        try {
            kube.delete(V1Job.class, objects.namespace(spec.instanceId()), job);
        } catch (RuntimeException e) {
            // the next attempt removes it first; the namespace's deletion removes it at the latest
            log.warn("could not delete archiver Job {} of instance {}: {}", job, spec.instanceId(), e.toString());
        }
    }

    private List<V1Pod> pods(String ns, String job) {
        return kube.list(V1Pod.class, ns, "job-name=" + job);
    }

    private PodExec.Session exec(InstanceSpec spec, String pod, List<String> command, boolean stdin, OutputStream stdout,
                                 OutputStream stderr) {
        return podExec.start(objects.namespace(spec.instanceId()), pod, InstanceObjects.ARCHIVER, command, stdin, stdout,
                stderr, settings.archiverTimeout());
    }

    /** An exec's stdout that, at its end, fails unless the command exited 0. */
    private final class CheckedEnd extends FilterInputStream {
        private final PodExec.Session session;
        private final BoundedOutput stderr;
        private final String what;
        private boolean checked;

        CheckedEnd(InputStream in, PodExec.Session session, BoundedOutput stderr, String what) {
            super(in);
            this.session = session;
            this.stderr = stderr;
            this.what = what;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            return b < 0 ? end() : b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            return n < 0 ? end() : n;
        }

        private int end() throws IOException {
            if (!checked) {
                checked = true;
                ExitStatus exit;
                try {
                    exit = session.awaitExit(settings.archiverTimeout());
                } catch (UnavailableException e) {
                    throw new IOException(e.getMessage(), e);
                }
                if (!exit.exited()) {
                    throw new IOException(what + " could not run: " + exit.failure());
                }
                if (exit.exitCode() != 0) {
                    throw new IOException(what + " exited with " + exit.exitCode() + ": " + stderr.message());
                }
            }
            return -1;
        }
    }
}
