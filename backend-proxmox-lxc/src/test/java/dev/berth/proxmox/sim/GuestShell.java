package dev.berth.proxmox.sim;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * An SSH {@code exec} request in a simulated container, run as a real sshd runs it: the request's string goes to
 * a real {@code /bin/sh -c}, so quoting mistakes show as they would in a container. The shell is the test host's
 * (its programs and files, not the container's); its working directory is the container's root file system and
 * its environment a login's ({@code HOME=/root}, {@code USER=root}, a standard {@code PATH}). Stdin is pumped from
 * the channel until the client's EOF; SIGKILL from the client (the SSH {@code signal} request) and a closed
 * channel kill the process.
 */
final class GuestShell implements Command {

    private final Path root;
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Process process;

    GuestShell(Path root, String command) {
        this.root = root;
        this.command = command;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command).directory(root.toFile());
        pb.environment().clear();
        pb.environment().putAll(Map.of("HOME", "/root", "USER", "root", "LOGNAME", "root", "LANG", "C.UTF-8",
                "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        Process p = pb.start();
        process = p;
        env.addSignalListener((ch, signal) -> p.destroyForcibly(), Signal.KILL);
        daemon("stdin", () -> {
            try (OutputStream toProcess = p.getOutputStream()) {
                in.transferTo(toProcess);
            }
        }).start();
        Thread stdout = daemon("stdout", () -> copy(p.getInputStream(), out));
        Thread stderr = daemon("stderr", () -> copy(p.getErrorStream(), err));
        stdout.start();
        stderr.start();
        daemon("exit", () -> {
            int code = p.waitFor();
            stdout.join();
            stderr.join();
            exit.onExit(code);
        }).start();
    }

    @Override
    public void destroy(ChannelSession channel) {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private static void copy(InputStream from, OutputStream to) throws IOException {
        from.transferTo(to);
        to.flush();
    }

    private Thread daemon(String stream, Job job) {
        Thread t = new Thread(() -> {
            try {
                job.run();
            } catch (IOException | InterruptedException e) {
                // the channel or the process went away: the exit callback (or destroy) ends the command
            }
        }, "guest-shell-" + stream);
        t.setDaemon(true);
        return t;
    }

    @FunctionalInterface
    private interface Job {
        void run() throws IOException, InterruptedException;
    }
}
