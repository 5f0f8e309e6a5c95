package dev.berth.proxmox.exec;

import dev.berth.proxmox.lxc.ProvisionRequests;
import dev.berth.proxmox.sim.SimCluster;
import dev.berth.spi.ExecCommand;
import dev.berth.spi.ExecResult;
import dev.berth.spi.ExecSupport;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the TCK leaves to the backend: output bounds, the timeout and the user, over SSH into the simulator. */
class SshExecIT {

    private static SimCluster cluster;
    private static String id;

    @BeforeAll
    static void start() {
        cluster = SimCluster.start(1);
        id = ProvisionRequests.newId();
        cluster.provider().provision(ProvisionRequests.request(id, "pve1"));
    }

    @AfterAll
    static void stop() {
        assertThat(cluster.sim().schemaViolations()).isEmpty();
        cluster.close();
    }

    @Test
    void eachStreamIsKeptUpToTheLimitAndTheRestDrained() {
        ExecResult result = exec().exec(id, ExecCommand.of("app", "sh", "-c",
                "head -c 1000000 /dev/zero | tr '\\0' o; head -c 300000 /dev/zero | tr '\\0' e >&2; exit 4"));

        assertThat(result.exitCode()).as("the command ran to its end").isEqualTo(4);
        assertThat(result.stdout()).hasSize(ExecResult.MAX_OUTPUT_CHARS).matches("o+");
        assertThat(result.stderr()).hasSize(ExecResult.MAX_OUTPUT_CHARS).matches("e+");
        assertThat(result.truncated()).isTrue();
    }

    @Test
    void aCommandOutlivingItsTimeoutIsKilledAndReportedUnavailable() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> exec().exec(id, ExecCommand.of("app", "sleep", "60").withTimeout(Duration.ofSeconds(1))))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("outlived its timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void stdinNeverShowsInAFailure() {
        assertThatThrownBy(() -> exec().exec(id, ExecCommand.of("app", "sleep", "60").withTimeout(Duration.ofMillis(500))
                .withStdin(SecretValue.of("hunter2-secret"))))
                .isInstanceOf(UnavailableException.class).message().doesNotContain("hunter2");
    }

    @Test
    void aComponentNameIsNeverAPath() {
        assertThatThrownBy(() -> exec().exec(id, ExecCommand.of("../berth/app", "true")))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void anotherUserRunsThroughRunuser() {
        // the simulator's shell is the test host's: runuser works only for root there
        assertThat(System.getProperty("user.name")).as("the simulator runs runuser as the test user: root, as in CI").isEqualTo("root");
        assertThat(Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser"))).as("runuser on the test host").isTrue();

        ExecResult result = exec().exec(id, ExecCommand.of("app", "id", "-un").asUser("nobody"));

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).isEqualTo("nobody\n");
    }

    private static ExecSupport exec() {
        return cluster.provider().exec().orElseThrow();
    }
}
