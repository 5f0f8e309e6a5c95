package dev.berth.proxmox.sim;

import dev.berth.proxmox.client.ProxmoxClient;
import dev.berth.proxmox.client.ProxmoxCredentials;
import dev.berth.proxmox.guest.SshGuestConfigurer;
import dev.berth.proxmox.lxc.ProxmoxLxcProvider;
import dev.berth.proxmox.lxc.ProxmoxLxcSettings;
import dev.berth.proxmox.lxc.VmidAllocator;
import dev.berth.proxmox.network.AddressPool;
import dev.berth.spi.SecretValue;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A ready cluster for tests and benchmarks: a {@link ProxmoxSimulator} with nodes {@code pve1..pveN}, an API
 * token, one app template, a {@link GuestSshFarm} standing in for the containers' sshd, and a
 * {@link ProxmoxLxcProvider} wired to both (address pool 10.20.0.10-250, shared backup storage).
 */
public final class SimCluster implements AutoCloseable {

    /** The app template every test instance is created from. */
    public static final String TEMPLATE = "local:vztmpl/debian-12-berth-testapp_1.0-1_amd64.tar.zst";
    /** Token id the provider uses. */
    public static final String TOKEN_ID = "berth@pve!provisioner";
    /** Where test markers live inside a container (on its root file system, so backups carry them). */
    public static final String MARKER = "/var/lib/testapp/marker";

    private final ProxmoxSimulator sim;
    private final GuestSshFarm farm;
    private final KeyPair key;
    private final ProxmoxClient client;
    private final ProxmoxLxcProvider provider;
    private final SshClient ssh;

    private SimCluster(ProxmoxSimulator sim, Consumer<ProxmoxClient.Builder> clientTweaks, ProxmoxLxcSettings settings,
                       VmidAllocator vmids) {
        this.sim = sim;
        this.farm = new GuestSshFarm(sim);
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(256);
            this.key = gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        ProxmoxClient.Builder cb = ProxmoxClient.builder(sim.url())
                .credentials(new ProxmoxCredentials.ApiToken(TOKEN_ID, SecretValue.of("5e8b0c1a-sim-secret")))
                .pollInterval(Duration.ofMillis(20), Duration.ofMillis(200))
                .dispatchRetries(3, Duration.ofMillis(50));
        clientTweaks.accept(cb);
        this.client = cb.build();
        SshGuestConfigurer guest = new SshGuestConfigurer(key, "root", "/etc/berth", "berth-", farm, Duration.ofSeconds(20));
        this.provider = new ProxmoxLxcProvider(client, settings, vmids, guest, publicKeyLine(), Clock.systemUTC());
        this.ssh = SshClient.setUpDefaultClient();
        this.ssh.start();
    }

    /** Settings the tests use: pool addressing, shared backup storage, short waits. */
    public static ProxmoxLxcSettings defaultSettings() {
        return ProxmoxLxcSettings.defaults()
                .withStorage(ProxmoxSimulator.ROOTFS_STORAGE, ProxmoxSimulator.BACKUP_STORAGE)
                .withNetwork("vmbr0", new AddressPool("10.20.0.10", "10.20.0.250", 24, "10.20.0.1"))
                .withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(30), Duration.ofSeconds(5));
    }

    /** A simulator builder with the template and token this cluster expects, and {@code nodes} nodes. */
    public static ProxmoxSimulator.Builder simulator(int nodes, SimTimings timings) {
        ProxmoxSimulator.Builder b = ProxmoxSimulator.builder().timings(timings)
                .token(TOKEN_ID, "5e8b0c1a-sim-secret")
                .unauthorizedDelay(Duration.ofMillis(300))
                .template(TEMPLATE, Map.of(
                        "/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
                        "/etc/systemd/system/berth-app.service",
                        "[Service]\nEnvironmentFile=/etc/berth/app.env\nExecStart=/usr/local/bin/testapp\n"));
        for (int i = 1; i <= nodes; i++) {
            b.node("pve" + i, 16, 64L << 30, 1L << 40);
        }
        return b;
    }

    /** Starts {@code nodes} nodes with fast task timings and the default settings. */
    public static SimCluster start(int nodes) {
        return start(simulator(nodes, SimTimings.fast()), c -> { }, defaultSettings(), VmidAllocator.range(1000, 1999));
    }

    /** Starts a cluster from a customised simulator builder, client tweaks, settings and VM id allocator. */
    public static SimCluster start(ProxmoxSimulator.Builder simulator, Consumer<ProxmoxClient.Builder> clientTweaks,
                                   ProxmoxLxcSettings settings, VmidAllocator vmids) {
        return new SimCluster(simulator.build().start(), clientTweaks, settings, vmids);
    }

    /** Berth's SSH public key line, as the provider puts it into containers (a clone template must carry it). */
    public String publicKeyLine() {
        return PublicKeyEntry.toString(key.getPublic()) + " berth";
    }

    public ProxmoxSimulator sim() {
        return sim;
    }

    public GuestSshFarm farm() {
        return farm;
    }

    public ProxmoxLxcProvider provider() {
        return provider;
    }

    public ProxmoxClient client() {
        return client;
    }

    /** The container of an instance, found by its Berth tag. */
    public Optional<ProxmoxSimulator.CtView> container(String instanceId) {
        return sim.containers().stream()
                .filter(c -> (c.config().getOrDefault("tags", "") + ";").contains(ProxmoxLxcProvider.INSTANCE_TAG_PREFIX + instanceId + ";"))
                .findFirst();
    }

    /** Writes a file inside the instance's container over SSH/SFTP, as root with Berth's key. */
    public void writeFile(String instanceId, String path, String content) {
        try (ClientSession s = session(instanceId); SftpClient sftp = SftpClientFactory.instance().createSftpClient(s)) {
            String dir = path.substring(0, path.lastIndexOf('/'));
            StringBuilder p = new StringBuilder();
            for (String part : dir.split("/")) {
                if (part.isEmpty()) {
                    continue;
                }
                p.append('/').append(part);
                try {
                    sftp.stat(p.toString());
                } catch (IOException missing) {
                    sftp.mkdir(p.toString());
                }
            }
            try (OutputStream out = sftp.write(path)) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a file inside the instance's container over SSH/SFTP; empty when it does not exist. */
    public Optional<String> readFile(String instanceId, String path) {
        try (ClientSession s = session(instanceId); SftpClient sftp = SftpClientFactory.instance().createSftpClient(s)) {
            try (InputStream in = sftp.read(path)) {
                return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (org.apache.sshd.sftp.common.SftpException e) {
                return Optional.empty();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** File mode bits of a file inside the container (e.g. 0600). */
    public int mode(String instanceId, String path) {
        try (ClientSession s = session(instanceId); SftpClient sftp = SftpClientFactory.instance().createSftpClient(s)) {
            return sftp.stat(path).getPermissions() & 0777;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ClientSession session(String instanceId) throws IOException {
        ProxmoxSimulator.CtView ct = container(instanceId).orElseThrow(() -> new IllegalStateException("no CT for " + instanceId));
        InetSocketAddress address = farm.resolve(new dev.berth.proxmox.guest.GuestTarget(instanceId, ct.vmid(), ct.node(), ct.ip(), java.util.List.of()));
        ClientSession s = ssh.connect("root", address).verify(Duration.ofSeconds(10)).getSession();
        s.addPublicKeyIdentity(key);
        s.auth().verify(Duration.ofSeconds(10));
        return s;
    }

    @Override
    public void close() {
        provider.close();
        try {
            ssh.stop();
        } catch (RuntimeException e) {
            // closing anyway
        }
        farm.close();
        sim.close();
    }
}
