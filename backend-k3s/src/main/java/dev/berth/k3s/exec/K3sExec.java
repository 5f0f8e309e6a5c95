package dev.berth.k3s.exec;

import dev.berth.k3s.kube.BoundedOutput;
import dev.berth.k3s.kube.ExitStatus;
import dev.berth.k3s.kube.InstanceNamespaces;
import dev.berth.k3s.kube.KubeApi;
import dev.berth.k3s.kube.PodExec;
import dev.berth.k3s.objects.InstanceSpec;
import dev.berth.k3s.objects.Labels;
import dev.berth.spi.ExecCommand;
import dev.berth.spi.ExecResult;
import dev.berth.spi.ExecSupport;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Pod;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The K3s provider's exec capability: runs a command in the running pod of a component's Deployment through the
 * API server's {@code pods/exec} ({@link PodExec}), as {@code kubectl exec} does, with the argv as given (no
 * shell) and the container's own user.
 *
 * <p>The exec protocol of the API servers Berth supports (v4) cannot end a command's stdin without closing the
 * whole stream, so a command given stdin runs behind a small POSIX {@code sh} that hands it exactly the input's
 * bytes and then end-of-file ({@link #withInput}); its arguments still reach it untouched, as {@code "$@"}. Such
 * components need {@code sh} and {@code head} in their image. The input itself travels only on the stream.
 *
 * <p>A command that outlives its timeout is abandoned with an {@link UnavailableException}; Kubernetes gives no
 * way to stop it, so it may go on running in the pod until it ends by itself.
 */
public final class K3sExec implements ExecSupport {

    /** The longest Berth waits for the API server to accept the stream, within the command's timeout. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** The {@code $0} of the stdin wrapper: what {@code sh} names in its own messages. */
    static final String WRAPPER_NAME = "berth-exec";
    /** Hands the command ({@code "$@"} after the size) exactly {@code $1} bytes of stdin, then end-of-file. */
    static final String WRAPPER_SCRIPT = "size=$1; shift; head -c \"$size\" | \"$@\"";

    private final KubeApi kube;
    private final InstanceNamespaces namespaces;
    private final PodExec podExec;

    /** Exec into the instances {@code namespaces} finds, through {@code kube}'s API server. */
    public K3sExec(KubeApi kube, InstanceNamespaces namespaces) {
        this.kube = kube;
        this.namespaces = namespaces;
        this.podExec = new PodExec(kube.client());
    }

    /**
     * {@inheritDoc}
     *
     * @throws InvalidSpecException when {@link ExecCommand#user()} is set: {@code pods/exec} always runs as the
     *                              container's user
     */
    @Override
    public ExecResult exec(String instanceId, ExecCommand command) {
        if (command.user() != null) {
            throw new InvalidSpecException("user", "cannot be honoured on K3s: the API server's pods/exec runs commands "
                    + "as the container's own user; leave it unset");
        }
        Instant deadline = Instant.now().plus(command.timeout());
        V1Namespace ns = namespaces.existing(instanceId);
        InstanceSpec spec = InstanceNamespaces.spec(ns);
        String component = command.component();
        if (spec.components().stream().noneMatch(c -> c.name().equals(component))) {
            throw new NotFoundException("component", instanceId + "/" + component);
        }
        String namespace = ns.getMetadata().getName();
        String pod = runningPod(namespace, instanceId, component).orElseThrow(() -> new ConflictException("instance "
                + instanceId + (InstanceNamespaces.suspended(ns) ? " is suspended" : ": component " + component
                + " has no running pod yet") + ": nothing runs to exec in; resume it or try again"));

        byte[] input = command.stdin() == null ? null : command.stdin().reveal().getBytes(StandardCharsets.UTF_8);
        List<String> argv = input == null ? command.argv() : withInput(input.length, command.argv());
        BoundedOutput stdout = new BoundedOutput(ExecResult.MAX_OUTPUT_CHARS);
        BoundedOutput stderr = new BoundedOutput(ExecResult.MAX_OUTPUT_CHARS);
        String what = command.argv().get(0) + " in " + namespace + "/" + pod;
        try (PodExec.Session session = podExec.start(namespace, pod, component, argv, input != null, stdout, stderr,
                min(CONNECT_TIMEOUT, left(deadline)))) {
            if (input != null) {
                send(session, input, what);
            }
            ExitStatus status = session.awaitExit(left(deadline));
            if (!status.exited()) {
                throw new BerthException(what + " could not run: " + status.failure(), false);
            }
            return new ExecResult(status.exitCode(), stdout.text(), stderr.text(), stdout.truncated() || stderr.truncated());
        } catch (UnavailableException e) {
            if (Instant.now().isAfter(deadline)) {
                throw new UnavailableException(what + " did not finish within " + command.timeout()
                        + " (Kubernetes cannot stop it: it may still run)", e);
            }
            throw e;
        }
    }

    /** {@code argv} behind the stdin wrapper, reading {@code size} bytes of input. */
    static List<String> withInput(long size, List<String> argv) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", WRAPPER_SCRIPT, WRAPPER_NAME, Long.toString(size)));
        wrapped.addAll(argv);
        return wrapped;
    }

    private static void send(PodExec.Session session, byte[] input, String what) {
        try {
            OutputStream in = session.stdin();
            in.write(input);
            in.flush();
        } catch (IOException e) {
            // the command ended without reading all of it: its exit status says how it went
        } catch (RuntimeException e) {
            throw new UnavailableException("sending stdin to " + what + " failed", e);
        }
    }

    /** The name of a pod of the component's Deployment whose container runs (not one being deleted). */
    private Optional<String> runningPod(String namespace, String instanceId, String component) {
        String selector = Labels.instanceSelector(instanceId) + "," + Labels.COMPONENT + "=" + component;
        return kube.list(V1Pod.class, namespace, selector).stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
                .filter(p -> containerRuns(p, component))
                .map(p -> p.getMetadata().getName())
                .sorted()
                .findFirst();
    }

    private static boolean containerRuns(V1Pod pod, String container) {
        List<V1ContainerStatus> statuses = pod.getStatus().getContainerStatuses();
        return statuses != null && statuses.stream().anyMatch(c -> c.getName().equals(container)
                && c.getState() != null && c.getState().getRunning() != null);
    }

    private static Duration left(Instant deadline) {
        Duration left = Duration.between(Instant.now(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
