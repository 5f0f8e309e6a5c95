package dev.berth.k3s.it;

import dev.berth.k3s.K3sProvider;
import dev.berth.spi.ExecCommand;
import dev.berth.spi.ExecResult;
import dev.berth.spi.ExecSupport;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.UnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What the K3s exec promises beyond the TCK, through the real API server into an app pod the {@link FakeKubelet}
 * runs in Docker: output past {@link ExecResult#MAX_OUTPUT_CHARS} is read and cut, a command outliving its timeout
 * is a retryable error, and a failure message never carries the stdin.
 */
class K3sExecLimitsIT {

    private static final ResourceLimits PLAN = new ResourceLimits(250, 1000, 64 * ResourceLimits.MIB, 128 * ResourceLimits.MIB,
            ResourceLimits.GIB);

    private final TestCluster cluster = TestCluster.get();
    private final K3sProvider provider = cluster.provider;
    private final String id = "it-" + HexFormat.of().formatHex(randomBytes());

    @AfterEach
    void terminate() {
        provider.terminate(id);
    }

    @Test
    void outputIsBoundedAndATimeoutIsRetryable() {
        cluster.kubelet.runInDocker(id);
        provider.provision(new ProvisionRequest(id, "tenant-it", id, id + ".it.invalid", "tck-app", "1.0.0",
                TestCluster.dockerComponents("1.0.0"), PLAN, TestCluster.NODE, Map.of()));
        await(id + " running").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> provider.status(id).state() == RuntimeState.RUNNING);
        ExecSupport exec = provider.exec().orElseThrow();

        // 1 MiB on stdout and 200 KiB on stderr: both read to the end, both cut
        ExecResult big = exec.exec(id, ExecCommand.of("app", "sh", "-c",
                "head -c 1048576 /dev/zero | tr '\\0' x; head -c 204800 /dev/zero | tr '\\0' e >&2; exit 4"));
        assertThat(big.exitCode()).isEqualTo(4);
        assertThat(big.truncated()).isTrue();
        assertThat(big.stdout()).hasSize(ExecResult.MAX_OUTPUT_CHARS).matches("x+");
        assertThat(big.stderr()).hasSize(ExecResult.MAX_OUTPUT_CHARS).matches("e+");

        ExecCommand slow = ExecCommand.of("app", "sh", "-c", "cat >/dev/null; sleep 30")
                .withStdin(SecretValue.of("pw: s3cr3t-in-stdin")).withTimeout(Duration.ofSeconds(3));
        assertThatThrownBy(() -> exec.exec(id, slow))
                .isInstanceOfSatisfying(UnavailableException.class, e -> assertThat(((BerthException) e).retryable()).isTrue())
                .hasMessageContaining("did not finish within PT3S")
                .satisfies(e -> assertThat(e.toString()).doesNotContain("s3cr3t"));
    }

    private static byte[] randomBytes() {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        return random;
    }
}
