package dev.berth.proxmox.lxc;

import dev.berth.proxmox.client.ProxmoxClient;
import dev.berth.proxmox.client.ProxmoxCredentials;
import dev.berth.proxmox.client.TlsTrust;
import dev.berth.proxmox.guest.GuestEndpointResolver;
import dev.berth.proxmox.guest.SshGuestConfigurer;
import dev.berth.proxmox.network.AddressPool;
import dev.berth.spi.ProviderFactory;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.InvalidSpecException;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

/**
 * Creates {@link ProxmoxLxcProvider}s (kind {@value ProxmoxLxcProvider#KIND}) from string settings; see the
 * README's Proxmox section for every key. Required: {@code url}, either {@code token.id} + {@code token.secret}
 * or {@code username} + {@code password}, and {@code ssh.privateKeyFile}.
 */
public final class ProxmoxLxcProviderFactory implements ProviderFactory {

    @Override
    public boolean supports(String kind) {
        return ProxmoxLxcProvider.KIND.equals(kind);
    }

    @Override
    public RuntimeProvider create(Map<String, String> config) {
        String url = required(config, "url");
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("url", "not a URL");
        }
        ProxmoxCredentials credentials = credentials(config);
        TlsTrust tls = tls(config);
        AddressPool pool = null;
        if (config.containsKey("network.pool.first")) {
            pool = new AddressPool(required(config, "network.pool.first"), required(config, "network.pool.last"),
                    integer(config, "network.pool.prefix", 24), required(config, "network.pool.gateway"));
        }
        ProxmoxLxcSettings d = ProxmoxLxcSettings.defaults();
        ProxmoxLxcSettings settings = new ProxmoxLxcSettings(
                config.getOrDefault("storage.rootfs", d.rootfsStorage()),
                config.getOrDefault("storage.backup", d.backupStorage()),
                config.getOrDefault("network.bridge", d.bridge()), pool,
                integer(config, "swapMib", d.swapMib()),
                config.getOrDefault("features", d.features()),
                Duration.ofSeconds(integer(config, "timeout.taskSeconds", (int) d.taskTimeout().toSeconds())),
                Duration.ofSeconds(integer(config, "timeout.longTaskSeconds", (int) d.longTaskTimeout().toSeconds())),
                Duration.ofSeconds(integer(config, "timeout.lockWaitSeconds", (int) d.lockWait().toSeconds())),
                Duration.ofSeconds(integer(config, "timeout.shutdownSeconds", (int) d.shutdownTimeout().toSeconds())),
                d.createAttempts());
        KeyPair key = loadKey(required(config, "ssh.privateKeyFile"));
        VmidAllocator vmids = VmidAllocator.range(integer(config, "vmid.min", 10000), integer(config, "vmid.max", 19999));
        int sshPort = integer(config, "ssh.port", 22);
        // built last, once every setting is known to be valid, so a bad setting leaks no client
        ProxmoxClient client = ProxmoxClient.builder(uri).credentials(credentials).tls(tls).build();
        SshGuestConfigurer guest = new SshGuestConfigurer(key, config.getOrDefault("ssh.user", "root"),
                config.getOrDefault("guest.envDir", "/etc/berth"), config.getOrDefault("guest.servicePrefix", "berth-"),
                GuestEndpointResolver.direct(sshPort), Duration.ofMinutes(2));
        return new ProxmoxLxcProvider(client, settings, vmids, guest, PublicKeyEntry.toString(key.getPublic()) + " berth",
                Clock.systemUTC());
    }

    static ProxmoxCredentials credentials(Map<String, String> config) {
        if (config.containsKey("token.id")) {
            return new ProxmoxCredentials.ApiToken(config.get("token.id"), SecretValue.of(required(config, "token.secret")));
        }
        if (config.containsKey("username")) {
            return new ProxmoxCredentials.Password(config.get("username"), SecretValue.of(required(config, "password")));
        }
        throw new InvalidSpecException("token.id", "set token.id and token.secret (or username and password)");
    }

    static TlsTrust tls(Map<String, String> config) {
        if (config.containsKey("tls.fingerprint")) {
            return new TlsTrust.Fingerprint(config.get("tls.fingerprint"));
        }
        if (config.containsKey("tls.caFile")) {
            try {
                return new TlsTrust.ClusterCa(Files.readString(Path.of(config.get("tls.caFile"))));
            } catch (IOException e) {
                throw new InvalidSpecException("tls.caFile", "cannot read: " + e.getMessage());
            }
        }
        return new TlsTrust.SystemDefault();
    }

    private static KeyPair loadKey(String file) {
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
            throw new InvalidSpecException("ssh.privateKeyFile", "cannot read " + file);
        }
        try {
            Iterator<KeyPair> keys = new FileKeyPairProvider(path).loadKeys(null).iterator();
            if (!keys.hasNext()) {
                throw new InvalidSpecException("ssh.privateKeyFile", "holds no key");
            }
            return keys.next();
        } catch (InvalidSpecException e) {
            throw e;
        } catch (RuntimeException e) {
            // FileKeyPairProvider wraps parse and I/O failures in runtime exceptions
            throw new InvalidSpecException("ssh.privateKeyFile", "not an unencrypted OpenSSH/PEM private key");
        }
    }

    private static String required(Map<String, String> config, String key) {
        String v = config.get(key);
        if (v == null || v.isBlank()) {
            throw new InvalidSpecException(key, "is required");
        }
        return v;
    }

    private static int integer(Map<String, String> config, String key, int fallback) {
        String v = config.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new InvalidSpecException(key, "must be a whole number, was '" + v + "'");
        }
    }
}
