package dev.berth.proxmox.sim;

import dev.berth.proxmox.guest.GuestEndpointResolver;
import dev.berth.proxmox.guest.GuestTarget;
import dev.berth.spi.error.UnavailableException;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in for the sshd inside each simulated container: one Apache MINA SSHD server per container on
 * 127.0.0.1, serving that container's root file system over SFTP, authenticating with the container's
 * {@code /root/.ssh/authorized_keys} (written by the simulator from {@code ssh-public-keys}) and presenting the
 * host key the simulator reported in the create task's log. {@code systemctl restart <unit>} succeeds when the
 * unit file exists under {@code /etc/systemd/system} and is recorded (other {@code systemctl} commands exit 127);
 * every other command runs in a real shell on the test host ({@link GuestShell}), as exec needs.
 *
 * <p>As a {@link GuestEndpointResolver} it maps a container's bridge address to its server; a stopped
 * container refuses (UnavailableException), as a real one would not answer.
 */
public final class GuestSshFarm implements GuestEndpointResolver, AutoCloseable {

    private final ProxmoxSimulator sim;
    private final Map<Path, SshServer> servers = new ConcurrentHashMap<>();
    private final Map<Path, List<String>> restarts = new ConcurrentHashMap<>(); // by root file system: vmids get reused

    public GuestSshFarm(ProxmoxSimulator sim) {
        this.sim = sim;
    }

    @Override
    public InetSocketAddress resolve(GuestTarget target) {
        ProxmoxSimulator.CtView ct = sim.containerByIp(target.address())
                .orElseThrow(() -> new UnavailableException("no route to host " + target.address()));
        if (!ct.running()) {
            throw new UnavailableException("connection refused by " + target.address() + " (container stopped)");
        }
        SshServer server = servers.computeIfAbsent(ct.rootfs(), dir -> start(ct));
        return new InetSocketAddress("127.0.0.1", server.getPort());
    }

    /** Units restarted in the container that has this vmid now, in order. */
    public List<String> restarts(int vmid) {
        return sim.container(vmid).map(ct -> List.copyOf(restarts.getOrDefault(ct.rootfs(), List.of()))).orElse(List.of());
    }

    private SshServer start(ProxmoxSimulator.CtView ct) {
        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        sshd.setKeyPairProvider(KeyPairProvider.wrap(ct.hostKey()));
        AuthorizedKeysAuthenticator keys = new AuthorizedKeysAuthenticator(ct.rootfs().resolve("root/.ssh/authorized_keys"));
        sshd.setPublickeyAuthenticator((user, key, session) -> "root".equals(user) && keys.authenticate(user, key, session));
        sshd.setFileSystemFactory(new VirtualFileSystemFactory(ct.rootfs()));
        sshd.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        sshd.setCommandFactory((channel, command) -> command.strip().startsWith("systemctl ")
                ? new Systemctl(ct.rootfs(), command) : new GuestShell(ct.rootfs(), command));
        try {
            sshd.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sshd;
    }

    @Override
    public void close() {
        servers.values().forEach(s -> {
            try {
                s.stop(true);
            } catch (IOException e) {
                // closing anyway
            }
        });
        servers.clear();
    }

    /** The one command a Berth guest configurer runs. */
    private final class Systemctl implements Command {
        private final Path root;
        private final String command;
        private OutputStream err;
        private ExitCallback exit;

        Systemctl(Path root, String command) {
            this.root = root;
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
        }

        @Override
        public void setOutputStream(OutputStream out) {
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
            String[] words = command.trim().split("\\s+");
            if (words.length == 3 && words[0].equals("systemctl") && words[1].equals("restart")) {
                if (Files.exists(root.resolve("etc/systemd/system").resolve(words[2]))) {
                    restarts.computeIfAbsent(root, k -> Collections.synchronizedList(new ArrayList<>())).add(words[2]);
                    exit.onExit(0);
                } else {
                    fail(5, "Failed to restart " + words[2] + ": Unit " + words[2] + " not found.\n");
                }
                return;
            }
            fail(127, "sh: " + words[0] + ": not found\n");
        }

        private void fail(int code, String message) throws IOException {
            err.write(message.getBytes(StandardCharsets.UTF_8));
            err.flush();
            exit.onExit(code, message.strip());
        }

        @Override
        public void destroy(ChannelSession channel) {
        }
    }
}
