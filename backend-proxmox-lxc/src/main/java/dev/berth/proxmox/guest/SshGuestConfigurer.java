package dev.berth.proxmox.guest;

import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.wait.Poll;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The default {@link GuestConfigurer}: Apache MINA SSHD as root with the key Berth put into the container at
 * creation ({@code ssh-public-keys}). Env files are written over SFTP (mode 0600, via a temporary file and a
 * rename, so a service never reads half a file) and services restarted with {@code systemctl restart}.
 *
 * <p>Host keys: when Proxmox reported the container's host key fingerprints in the create task's log, the
 * server must present one of those keys; otherwise (clones) the first key seen is accepted, which is the same
 * trust a fresh {@code ssh} gives and is recorded in the log at warn level.
 */
public final class SshGuestConfigurer implements GuestConfigurer, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SshGuestConfigurer.class);

    private static final AttributeRepository.AttributeKey<List<String>> EXPECTED_HOST_KEYS = new AttributeRepository.AttributeKey<>();
    /** Pause between two connection attempts while the container's sshd comes up. */
    private static final Duration CONNECT_RETRY = Duration.ofMillis(250);

    private final SshClient client;
    private final KeyPair identity;
    private final String user;
    private final String envDir;
    private final String servicePrefix;
    private final GuestEndpointResolver resolver;
    private final Duration connectWithin;

    /**
     * @param identity      Berth's key pair (its public half is the container's authorized key)
     * @param user          login user (root)
     * @param envDir        directory of the env files ({@code /etc/berth})
     * @param servicePrefix systemd unit prefix ({@code berth-}: component {@code app} → {@code berth-app.service})
     * @param resolver      where to connect
     * @param connectWithin how long to keep trying while the container's sshd comes up
     */
    public SshGuestConfigurer(KeyPair identity, String user, String envDir, String servicePrefix,
                              GuestEndpointResolver resolver, Duration connectWithin) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.user = user;
        this.envDir = envDir.endsWith("/") ? envDir.substring(0, envDir.length() - 1) : envDir;
        this.servicePrefix = servicePrefix;
        this.resolver = resolver;
        this.connectWithin = connectWithin;
        this.client = SshClient.setUpDefaultClient();
        this.client.setServerKeyVerifier((session, remote, key) -> {
            AttributeRepository context = session.getConnectionContext();
            List<String> expected = context == null ? null : context.getAttribute(EXPECTED_HOST_KEYS);
            String actual = KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
            if (expected == null) {
                LOG.warn("accepting SSH host key {} of {} on first use (no fingerprint from Proxmox)", actual, remote);
                return true;
            }
            return expected.stream().anyMatch(fp -> actual.equals("SHA256:" + fp));
        });
        this.client.start();
    }

    @Override
    public void configure(GuestTarget target, GuestConfig config) {
        try (ClientSession session = connect(target)) {
            List<String> restart = new ArrayList<>();
            try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
                ensureDir(sftp, envDir);
                for (GuestConfig.Service s : config.services()) {
                    String path = envFile(s.name());
                    byte[] content = s.envFile(config.appVersion()).getBytes(StandardCharsets.UTF_8);
                    boolean changed = !java.util.Arrays.equals(readIfExists(sftp, path), content);
                    if (changed) {
                        writeAtomically(sftp, path, content);
                    }
                    if (changed || config.restartAll()) {
                        restart.add(s.name());
                    }
                }
            }
            for (String name : restart) {
                String unit = servicePrefix + name + ".service";
                session.executeRemoteCommand("systemctl restart " + unit);
                LOG.debug("restarted {} in CT {} ({})", unit, target.vmid(), target.instanceId());
            }
        } catch (SshException e) {
            throw new UnavailableException("SSH to CT " + target.vmid() + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BerthException("configuring CT " + target.vmid() + " over SSH failed: " + e.getMessage(), true, e);
        }
    }

    /** The user Berth logs in as (root). */
    public String loginUser() {
        return user;
    }

    /** Where {@link #configure} writes the env file of {@code component}: its mark inside the container. */
    public String envFile(String component) {
        return envDir + "/" + component + ".env";
    }

    /** Opens an authenticated session, retrying while the container's sshd is not up yet. */
    public ClientSession connect(GuestTarget target) {
        IOException[] last = {null};
        return Poll.every(CONNECT_RETRY).atMost(connectWithin).until(() -> {
            try {
                return Optional.of(open(target));
            } catch (IOException e) {
                last[0] = e; // sshd not listening yet, or the connection dropped during key exchange
                return Optional.empty();
            }
        }, () -> new UnavailableException("cannot open SSH to CT " + target.vmid() + " within " + connectWithin
                + (last[0] == null ? "" : ": " + last[0].getMessage()), last[0]));
    }

    private ClientSession open(GuestTarget target) throws IOException {
        InetSocketAddress address = resolver.resolve(target);
        // the expected key travels with the connection so the verifier sees it during key exchange
        AttributeRepository context = target.hostKeys().isEmpty() ? null
                : AttributeRepository.ofKeyValuePair(EXPECTED_HOST_KEYS, target.hostKeys());
        ClientSession session = client.connect(user, address, context, null)
                .verify(Duration.ofSeconds(10)).getSession();
        session.addPublicKeyIdentity(identity);
        try {
            session.auth().verify(Duration.ofSeconds(10));
        } catch (SshException e) {
            session.close(true);
            if (e.getMessage() != null && e.getMessage().contains("No more authentication methods")) {
                throw new AuthenticationException("CT " + target.vmid() + " refused Berth's SSH key");
            }
            throw e;
        }
        return session;
    }

    private static void ensureDir(SftpClient sftp, String dir) throws IOException {
        StringBuilder path = new StringBuilder();
        for (String part : dir.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            path.append('/').append(part);
            try {
                sftp.stat(path.toString());
            } catch (SftpException e) {
                if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                    throw e;
                }
                sftp.mkdir(path.toString());
                sftp.setStat(path.toString(), new SftpClient.Attributes().perms(0700));
            }
        }
    }

    private static byte[] readIfExists(SftpClient sftp, String path) throws IOException {
        try (InputStream in = sftp.read(path)) {
            return in.readAllBytes();
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return null;
            }
            throw e;
        }
    }

    private static void writeAtomically(SftpClient sftp, String path, byte[] content) throws IOException {
        String tmp = path + ".berth-tmp";
        try (OutputStream out = sftp.write(tmp, EnumSet.of(SftpClient.OpenMode.Write, SftpClient.OpenMode.Create,
                SftpClient.OpenMode.Truncate))) {
            // restrict before any secret byte lands in the file
            sftp.setStat(tmp, new SftpClient.Attributes().perms(0600));
            out.write(content);
        }
        sftp.rename(tmp, path, SftpClient.CopyMode.Overwrite);
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (RuntimeException e) {
            LOG.debug("closing the SSH client failed", e);
        }
    }

}
