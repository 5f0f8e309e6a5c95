package dev.berth.docker.exec;

import com.github.dockerjava.api.command.ExecCreateCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.model.Container;
import dev.berth.docker.host.DockerErrors;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.host.DockerLabels;
import dev.berth.docker.locate.InstanceLocator;
import dev.berth.docker.locate.Located;
import dev.berth.spi.ExecCommand;
import dev.berth.spi.ExecResult;
import dev.berth.spi.ExecSupport;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.wait.Poll;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link ExecSupport} for Docker: {@code docker exec} in the component's container, argv as given (no shell),
 * stdin written then closed ({@link ExecConnection}), stdout and stderr kept up to
 * {@link ExecResult#MAX_OUTPUT_CHARS} each ({@link BoundedOutput}), the exit code from the exec's inspection.
 * On timeout the connection is closed, which is all Docker allows: it has no API to kill an exec, so a command
 * that neither reads nor writes may live on until it ends by itself. Messages name the program, never its
 * arguments or input.
 */
public final class DockerExec implements ExecSupport {

    private static final Duration EXIT_CODE_WAIT = Duration.ofSeconds(10);

    private final InstanceLocator locator;

    /** Exec in the instances the locator finds. */
    public DockerExec(InstanceLocator locator) {
        this.locator = locator;
    }

    @Override
    public ExecResult exec(String instanceId, ExecCommand command) {
        Located at = locator.require(instanceId);
        DockerHost host = at.host();
        Container c = at.containers().stream().filter(x -> command.component().equals(x.getLabels().get(DockerLabels.COMPONENT)))
                .findFirst().orElseThrow(() -> new NotFoundException("component", instanceId + "/" + command.component()));
        String what = command.argv().get(0) + " in component " + command.component() + " of instance " + instanceId;
        requireRunning(host.inspect(c.getId()), what);
        String execId = DockerErrors.call(host.name(), "create exec for " + what, () -> {
            ExecCreateCmd cmd = host.client().execCreateCmd(c.getId()).withCmd(command.argv().toArray(String[]::new))
                    .withAttachStdin(command.stdin() != null).withAttachStdout(true).withAttachStderr(true);
            if (command.user() != null) cmd.withUser(command.user());
            return cmd.exec().getId();
        });
        BoundedOutput stdout = new BoundedOutput();
        BoundedOutput stderr = new BoundedOutput();
        run(host, execId, command, stdout, stderr, what);
        return new ExecResult(exitCode(host, execId, what), stdout.text(), stderr.text(), stdout.truncated() || stderr.truncated());
    }

    private static void requireRunning(InspectContainerResponse c, String what) {
        var s = c.getState();
        if (s == null || !Boolean.TRUE.equals(s.getRunning()) || Boolean.TRUE.equals(s.getPaused())
                || Boolean.TRUE.equals(s.getRestarting())) {
            throw new ConflictException("cannot run " + what + ": the container is " + (s == null ? "in an unknown state" : s.getStatus())
                    + "; start the instance first");
        }
    }

    /** Streams stdin in and the output out until the command ends or the timeout passes. */
    private static void run(DockerHost host, String execId, ExecCommand command, BoundedOutput stdout, BoundedOutput stderr,
                            String what) {
        ExecConnection conn;
        try {
            conn = ExecConnection.start(host.config(), execId);
        } catch (ExecConnection.ExecStartException e) {
            if (e.status == 409) throw new ConflictException("cannot run " + what + ": " + e.getMessage(), e);
            throw new BerthException("starting " + what + " failed: " + e.getMessage(), e.status >= 500, e);
        } catch (IOException e) {
            throw new UnavailableException("Docker host '" + host.name() + "' cannot be reached to run " + what + ": " + e.getMessage(), e);
        }
        try (conn) {
            // stdin on its own thread: a command may write more output than the pipes hold before it reads its input
            CompletableFuture<Void> input = CompletableFuture.runAsync(() -> writeStdin(conn, command), daemonThread("stdin"));
            CompletableFuture<Void> output = CompletableFuture.runAsync(() -> {
                try {
                    conn.readFrames((stream, data, length) -> (stream == 2 ? stderr : stdout).write(data, length));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, daemonThread("output"));
            output.get(command.timeout().toMillis(), TimeUnit.MILLISECONDS);
            input.cancel(true);
        } catch (TimeoutException e) {
            throw new UnavailableException(what + " did not finish within " + command.timeout()
                    + "; its connection was closed (Docker cannot kill an exec)");
        } catch (ExecutionException e) {
            throw new UnavailableException("reading the output of " + what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while running " + what);
        } catch (IOException e) {
            // closing the finished connection failed: the result is complete
        }
    }

    private static void writeStdin(ExecConnection conn, ExecCommand command) {
        try {
            if (command.stdin() != null) {
                OutputStream in = conn.stdin();
                in.write(command.stdin().reveal().getBytes(StandardCharsets.UTF_8));
            }
            conn.closeStdin();
        } catch (IOException e) {
            // the command ended without reading all of its input; its exit code says how that went
        }
    }

    private static java.util.concurrent.Executor daemonThread(String role) {
        return task -> {
            Thread t = new Thread(task, "berth-docker-exec-" + role);
            t.setDaemon(true);
            t.start();
        };
    }

    /** The exit code; Docker may report the exec as running for a moment after its stream ended. */
    private static int exitCode(DockerHost host, String execId, String what) {
        return Poll.every(Duration.ofMillis(20)).doublingUpTo(Duration.ofMillis(500)).atMost(EXIT_CODE_WAIT).until(() -> {
            InspectExecResponse r = DockerErrors.call(host.name(), "inspect exec of " + what, () -> host.client().inspectExecCmd(execId).exec());
            return Boolean.TRUE.equals(r.isRunning()) || r.getExitCodeLong() == null ? Optional.<Integer>empty()
                    : Optional.of(r.getExitCodeLong().intValue());
        }, () -> new UnavailableException(what + " ended its output but Docker reports no exit code after " + EXIT_CODE_WAIT));
    }
}
