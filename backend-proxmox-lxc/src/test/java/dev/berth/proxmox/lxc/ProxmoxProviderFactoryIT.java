package dev.berth.proxmox.lxc;

import dev.berth.proxmox.sim.ProxmoxSimulator;
import dev.berth.proxmox.sim.SimCluster;
import dev.berth.proxmox.sim.SimTimings;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.Providers;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.error.InvalidSpecException;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The factory behind {@code Providers.create("proxmox-lxc", config)}: the README's keys, and clear errors. */
class ProxmoxProviderFactoryIT {

    @TempDir
    Path dir;

    private Map<String, String> config(ProxmoxSimulator sim) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(256);
        KeyPair key = gen.generateKeyPair();
        Path file = dir.resolve("berth_ecdsa");
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "berth", null, out);
        }
        Map<String, String> c = new HashMap<>();
        c.put("url", sim.url().toString());
        c.put("token.id", SimCluster.TOKEN_ID);
        c.put("token.secret", "5e8b0c1a-sim-secret");
        c.put("ssh.privateKeyFile", file.toString());
        c.put("vmid.min", "5000");
        c.put("vmid.max", "5099");
        c.put("network.pool.first", "10.30.0.10");
        c.put("network.pool.last", "10.30.0.20");
        c.put("network.pool.gateway", "10.30.0.1");
        return c;
    }

    @Test
    void createsAWorkingProviderThroughTheServiceLoader() throws Exception {
        try (ProxmoxSimulator sim = SimCluster.simulator(2, SimTimings.fast()).build().start();
             RuntimeProvider provider = Providers.create("proxmox-lxc", config(sim))) {
            assertThat(provider).isInstanceOf(ProxmoxLxcProvider.class);
            provider.testConnection();
            assertThat(provider.nodes()).extracting(NodeCapacity::target).containsExactly("pve1", "pve2");
            assertThat(provider.migration()).isPresent();
            assertThat(provider.backups()).isPresent();
        }
    }

    @Test
    void missingOrWrongSettingsNameTheKey() throws Exception {
        try (ProxmoxSimulator sim = SimCluster.simulator(1, SimTimings.fast()).build().start()) {
            Map<String, String> noKey = config(sim);
            noKey.remove("ssh.privateKeyFile");
            assertField(noKey, "ssh.privateKeyFile");

            Map<String, String> noCredentials = config(sim);
            noCredentials.remove("token.id");
            assertField(noCredentials, "token.id");

            Map<String, String> badRange = config(sim);
            badRange.put("vmid.min", "50");
            assertField(badRange, "vmid.range");

            Map<String, String> badPin = config(sim);
            badPin.put("tls.fingerprint", "not-a-fingerprint");
            assertField(badPin, "tls.fingerprint");

            Map<String, String> badNumber = config(sim);
            badNumber.put("swapMib", "lots");
            assertField(badNumber, "swapMib");
        }
    }

    private static void assertField(Map<String, String> config, String field) {
        assertThatThrownBy(() -> Providers.create("proxmox-lxc", config))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageNotContaining("5e8b0c1a-sim-secret");
    }
}
