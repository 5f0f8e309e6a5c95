package dev.berth.proxmox.exec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.proxmox.container.BerthMetadata;
import dev.berth.proxmox.container.Located;
import dev.berth.proxmox.guest.GuestTarget;
import dev.berth.proxmox.guest.SshGuestConfigurer;
import dev.berth.proxmox.inventory.ContainerApi;
import dev.berth.proxmox.inventory.ContainerLocator;
import dev.berth.spi.ExecCommand;
import dev.berth.spi.ExecResult;
import dev.berth.spi.ExecSupport;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * {@link ExecSupport} for LXC containers over SSH. The Proxmox API has no exec for containers ({@code pct exec}
 * only exists on the node), so commands take the path the {@link SshGuestConfigurer} already uses: Berth's key,
 * the container's address and its host key fingerprints.
 *
 * <p><b>Components.</b> An instance is one container; its components are services in it, each with the env file
 * the configurer wrote ({@code /etc/berth/<component>.env}). A component exists when that file does; the
 * command runs in the container's root namespace as the login user (root) or, when
 * {@link ExecCommand#user()} names another user, through {@code runuser}. It does not see the component's env
 * file (as a {@code systemctl} unit would): commands that need it read it themselves.
 *
 * <p><b>Running.</b> One {@code exec} channel per command, its argv quoted word by word ({@link CommandLine}),
 * stdin written from {@link ExecCommand#stdin()} and then closed (an empty stdin when there is none), stdout and
 * stderr each kept up to {@link ExecResult#MAX_OUTPUT_CHARS} with the rest read and dropped. When the command
 * outlives its timeout the program gets SIGKILL (the SSH {@code signal} request, honoured by OpenSSH 7.9+), the
 * channel is closed and the call fails with an {@link UnavailableException}. Stdin and output are never logged.
 * Thread-safe: every call opens its own SSH session.
 */
public final class SshExec implements ExecSupport {

    private static final Logger LOG = LoggerFactory.getLogger(SshExec.class);
    /** Signal numbers (Linux) of the signals a process usually dies of, for the shell's 128+N exit status. */
    private static final Map<String, Integer> SIGNALS = Map.of("HUP", 1, "INT", 2, "QUIT", 3, "ABRT", 6, "KILL", 9,
            "SEGV", 11, "PIPE", 13, "ALRM", 14, "TERM", 15);

    private final ContainerLocator locator;
    private final ContainerApi containers;
    private final SshGuestConfigurer ssh;

    /**
     * @param locator    finds the instance's container
     * @param containers reads its status, config and address
     * @param ssh        opens sessions into it and knows where the components' env files are
     */
    public SshExec(ContainerLocator locator, ContainerApi containers, SshGuestConfigurer ssh) {
        this.locator = locator;
        this.containers = containers;
        this.ssh = ssh;
    }

    @Override
    public ExecResult exec(String instanceId, ExecCommand command) {
        String line = CommandLine.of(command.argv(), command.user(), ssh.loginUser()); // refuse bad input first
        Located ct = locator.require(instanceId);
        GuestTarget target = target(ct, instanceId);
        try (ClientSession session = ssh.connect(target)) {
            requireComponent(session, ct, instanceId, command.component());
            ExecResult result = run(session, line, command, ct);
            LOG.debug("exec in CT {} ({}/{}): {} with {} arguments exited {}{}", ct.vmid(), instanceId,
                    command.component(), command.argv().get(0), command.argv().size() - 1, result.exitCode(),
                    result.truncated() ? " (output truncated)" : "");
            return result;
        } catch (IOException e) {
            throw new UnavailableException("exec over SSH in CT " + ct.vmid() + " failed: " + e.getMessage(), e);
        }
    }

    /** Where to connect; a container that does not run has nothing to exec in (retryable: start it first). */
    private GuestTarget target(Located ct, String instanceId) {
        JsonNode current = containers.current(ct);
        if (!"running".equals(current.path("status").asText())) {
            throw new ConflictException("CT " + ct.vmid() + " of instance " + instanceId + " is "
                    + current.path("status").asText("not running") + ": nothing runs to exec in (resume it first)");
        }
        JsonNode config = containers.config(ct);
        String address = containers.address(ct, config)
                .orElseThrow(() -> new UnavailableException("CT " + ct.vmid() + " has no IPv4 address yet"));
        return new GuestTarget(instanceId, ct.vmid(), ct.node(), address, BerthMetadata.of(config).hostKeys());
    }

    /** A component exists when its env file does (written for every component at provisioning and upgrade). */
    private void requireComponent(ClientSession session, Located ct, String instanceId, String component)
            throws IOException {
        if (component.contains("/") || component.equals(".") || component.equals("..")) {
            throw new NotFoundException("component", instanceId + "/" + component);
        }
        try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
            sftp.stat(ssh.envFile(component));
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                throw new NotFoundException("component", instanceId + "/" + component);
            }
            throw new BerthException("cannot check component " + component + " in CT " + ct.vmid() + ": "
                    + e.getMessage(), true, e);
        }
    }

    private static ExecResult run(ClientSession session, String line, ExecCommand command, Located ct)
            throws IOException {
        byte[] input = command.stdin() == null ? new byte[0] : command.stdin().reveal().getBytes(StandardCharsets.UTF_8);
        BoundedText out = new BoundedText(ExecResult.MAX_OUTPUT_CHARS);
        BoundedText err = new BoundedText(ExecResult.MAX_OUTPUT_CHARS);
        Duration timeout = command.timeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (ChannelExec channel = session.createExecChannel(line)) {
            channel.setIn(new ByteArrayInputStream(input)); // pumped by the channel, then EOF
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(timeout);
            long left = Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis());
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), left);
            if (!events.contains(ClientChannelEvent.CLOSED)) {
                kill(channel);
                channel.close(true);
                throw new UnavailableException("the command " + command.argv().get(0) + " in CT " + ct.vmid()
                        + " outlived its timeout of " + timeout + " and was killed");
            }
            return new ExecResult(exitCode(channel, ct), out.text(), err.text(), out.truncated() || err.truncated());
        } finally {
            Arrays.fill(input, (byte) 0);
        }
    }

    /** The exit status, or 128 + N for a program killed by signal N (as a shell reports it). */
    private static int exitCode(ChannelExec channel, Located ct) {
        Integer status = channel.getExitStatus();
        if (status != null) {
            return status;
        }
        String signal = channel.getExitSignal();
        if (signal != null) {
            return 128 + SIGNALS.getOrDefault(signal, 127);
        }
        throw new UnavailableException("CT " + ct.vmid() + " closed the exec channel without an exit status");
    }

    /** Sends SIGKILL to the program (RFC 4254 6.9); a server that ignores it still loses the channel. */
    private static void kill(ChannelExec channel) {
        try {
            Buffer request = channel.getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 32);
            request.putUInt(channel.getRecipient());
            request.putString("signal");
            request.putBoolean(false);
            request.putString("KILL");
            channel.getSession().writePacket(request);
        } catch (IOException | RuntimeException e) {
            LOG.debug("sending SIGKILL over the exec channel failed", e);
        }
    }
}
