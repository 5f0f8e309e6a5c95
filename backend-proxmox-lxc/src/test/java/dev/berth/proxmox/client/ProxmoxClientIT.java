package dev.berth.proxmox.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.proxmox.sim.ProxmoxSimulator;
import dev.berth.proxmox.sim.SimCluster;
import dev.berth.proxmox.sim.SimTimings;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.error.UnsupportedCapabilityException;
import dev.berth.testkit.time.FakeClock;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client against the simulator: TLS trust, both auth schemes, typed errors, tasks. */
class ProxmoxClientIT {

    private static final ProxmoxCredentials TOKEN =
            new ProxmoxCredentials.ApiToken(SimCluster.TOKEN_ID, SecretValue.of("5e8b0c1a-sim-secret"));

    private static final HeldCertificate CA = new HeldCertificate.Builder().certificateAuthority(0)
            .commonName("Proxmox Virtual Environment").build();
    private static final HeldCertificate NODE_CERT = new HeldCertificate.Builder().signedBy(CA)
            .commonName("pve1.sim").addSubjectAlternativeName("127.0.0.1").addSubjectAlternativeName("localhost").build();

    private static ProxmoxSimulator https() {
        HandshakeCertificates server = new HandshakeCertificates.Builder().heldCertificate(NODE_CERT, CA.certificate()).build();
        return SimCluster.simulator(1, SimTimings.fast()).tls(server.sslContext()).build().start();
    }

    private static ProxmoxClient client(ProxmoxSimulator sim, ProxmoxCredentials creds, TlsTrust tls) {
        return ProxmoxClient.builder(sim.url()).credentials(creds).tls(tls)
                .pollInterval(Duration.ofMillis(20), Duration.ofMillis(100)).dispatchRetries(2, Duration.ofMillis(20)).build();
    }

    @Test
    void trustsTheClusterCa() {
        try (ProxmoxSimulator sim = https(); ProxmoxClient c = client(sim, TOKEN, new TlsTrust.ClusterCa(CA.certificatePem()))) {
            assertThat(c.get("version", Map.of()).path("version").asText()).isNotBlank();
        }
    }

    @Test
    void pinsTheNodeCertificateFingerprint() throws Exception {
        String pin = HexFormat.ofDelimiter(":").withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(NODE_CERT.certificate().getEncoded()));
        try (ProxmoxSimulator sim = https(); ProxmoxClient c = client(sim, TOKEN, new TlsTrust.Fingerprint(pin))) {
            assertThat(c.get("nodes", Map.of()).size()).isEqualTo(1);
        }
    }

    @Test
    void refusesAnUnknownCertificate() {
        String wrongPin = "AB:".repeat(31) + "AB";
        try (ProxmoxSimulator sim = https();
             ProxmoxClient pinned = client(sim, TOKEN, new TlsTrust.Fingerprint(wrongPin));
             ProxmoxClient system = client(sim, TOKEN, new TlsTrust.SystemDefault())) {
            assertThatThrownBy(() -> pinned.get("version", Map.of())).isInstanceOf(UnavailableException.class);
            assertThatThrownBy(() -> system.get("version", Map.of())).as("the cluster CA is not publicly trusted")
                    .isInstanceOf(UnavailableException.class);
        }
    }

    @Test
    void wrongTokenIsAnAuthenticationErrorWithoutTheSecret() {
        try (ProxmoxSimulator sim = SimCluster.simulator(1, SimTimings.fast()).build().start();
             ProxmoxClient c = client(sim, new ProxmoxCredentials.ApiToken(SimCluster.TOKEN_ID, SecretValue.of("wrong-secret-value")),
                     new TlsTrust.SystemDefault())) {
            assertThatThrownBy(() -> c.get("version", Map.of())).isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("Authentication failed").hasMessageNotContaining("wrong-secret-value");
        }
    }

    @Test
    void parameterErrorsNameTheField() {
        try (ProxmoxSimulator sim = SimCluster.simulator(1, SimTimings.fast()).build().start();
             ProxmoxClient c = client(sim, TOKEN, new TlsTrust.SystemDefault())) {
            assertThatThrownBy(() -> c.get("cluster/nextid", Map.of("vmid", 5)))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("vmid"))
                    .hasMessageContaining("value must have a minimum value of 100");
            assertThatThrownBy(() -> c.post("nodes/pve1/lxc", Map.of("vmid", 100, "ostemplate", SimCluster.TEMPLATE, "cores", "two")))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("cores"))
                    .hasMessageContaining("type check ('integer') failed");
            assertThatThrownBy(() -> c.get("nodes/pve1/lxc/4242/config", Map.of())).as("Proxmox answers 500 'does not exist'")
                    .isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> c.get("nodes/pve1/qemu", Map.of())).isInstanceOf(UnsupportedCapabilityException.class);
            assertThat(sim.schemaViolations()).hasSize(2);
        }
    }

    @Test
    void warningsAreASuccessAndTheTaskIsPolledOnItsNode() {
        try (ProxmoxSimulator sim = SimCluster.simulator(2, SimTimings.uniform(Duration.ofMillis(300))).build().start();
             ProxmoxClient c = client(sim, TOKEN, new TlsTrust.SystemDefault())) {
            sim.addForeignContainer(300, "pve2", false);
            sim.faults().warnNextTask("vzstart", 2);
            Upid upid = c.startTask("POST", "nodes/pve2/lxc/300/status/start", Map.of());
            assertThat(upid.node()).isEqualTo("pve2");
            assertThat(upid.user()).isEqualTo(SimCluster.TOKEN_ID);
            JsonNode running = c.get("nodes/pve2/tasks/" + upid.value() + "/status", Map.of());
            assertThat(running.path("status").asText()).as("tasks run asynchronously").isEqualTo("running");
            assertThatThrownBy(() -> c.get("nodes/pve1/tasks/" + upid.value() + "/status", Map.of()))
                    .as("another node does not know the task").isInstanceOf(InvalidSpecException.class);

            TaskStatus done = c.awaitTask(upid, Duration.ofSeconds(10));

            assertThat(done.exitStatus()).isEqualTo("WARNINGS: 2");
            assertThat(done.succeeded()).isTrue();
            assertThat(c.taskLog(upid)).contains("WARN: simulated warning 1", "TASK WARNINGS: 2");
            assertThat(sim.container(300).orElseThrow().running()).isTrue();
        }
    }

    @Test
    void aTaskUnknownToItsNodeIsAskedForAFewTimesThenReported() {
        try (ProxmoxSimulator sim = SimCluster.simulator(1, SimTimings.fast()).build().start();
             ProxmoxClient c = client(sim, TOKEN, new TlsTrust.SystemDefault())) {
            Upid unknown = Upid.parse("UPID:pve1:00001234:00005678:6543210F:vzstart:300:root@pam:");
            assertThatThrownBy(() -> c.awaitTask(unknown, Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("upid"))
                    .hasMessageContaining("no such task");
            assertThat(sim.requestLog()).filteredOn(r -> r.endsWith("/status")).hasSize(6);
        }
    }

    @Test
    void ticketIsRenewedBeforeItExpiresAndCsrfAccompaniesWrites() {
        FakeClock clock = new FakeClock(Instant.parse("2026-05-01T10:00:00Z"));
        try (ProxmoxSimulator sim = SimCluster.simulator(1, SimTimings.fast()).user("berth@pve", "pw-12345").build().start();
             ProxmoxClient c = ProxmoxClient.builder(sim.url())
                     .credentials(new ProxmoxCredentials.Password("berth@pve", SecretValue.of("pw-12345")))
                     .clock(clock).ticketRenewAfter(Duration.ofHours(1))
                     .pollInterval(Duration.ofMillis(20), Duration.ofMillis(100)).build()) {
            sim.addForeignContainer(300, "pve1", false);
            c.runTask("POST", "nodes/pve1/lxc/300/status/start", Map.of(), Duration.ofSeconds(10));
            assertThat(sim.passwordLogins()).isEqualTo(1);

            clock.advance(Duration.ofMinutes(61));
            c.runTask("POST", "nodes/pve1/lxc/300/status/stop", Map.of(), Duration.ofSeconds(10));

            assertThat(sim.ticketRenewals()).as("renewed with the ticket, not the password").isEqualTo(1);
            assertThat(sim.passwordLogins()).isEqualTo(1);
            assertThat(sim.container(300).orElseThrow().running()).isFalse();
        }
    }
}
