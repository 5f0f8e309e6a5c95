package dev.berth.testkit.engine;

import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.NotFoundException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** An operator cancels an operation that is stuck; it is compensated like a failed one. */
class CancelEngineTest {

    private EngineHarness h;

    @BeforeEach
    void start() {
        // the runtime never reports the instance running, and the engine's clock (a fake) never reaches the timeout
        h = EngineHarness.create(DatabaseSettings.h2Memory("cancel-" + UUID.randomUUID()),
                EngineHarness.runtime().readyAfter(Duration.ofDays(365))).withNodeAndPlans(20);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void aProvisionStuckWaitingForReadinessIsCancelledAndLeavesNothing() {
        Instance i = h.provision(h.tenant(), "n8n");
        await().atMost(Duration.ofSeconds(60)).until(() -> "READY".equals(h.berth.operations().forInstance(i.id()).get(0).step())
                && h.provider.contains(i.id()));
        Operation stuck = h.berth.operations().forInstance(i.id()).get(0);

        Operation asked = h.berth.operations().cancel(stuck.id());

        assertThat(asked.id()).isEqualTo(stuck.id());
        Operation done = awaitEnded(stuck.id());
        assertThat(done.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(done.lastError()).contains("cancelled by the operator at step READY");
        assertThat(h.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.FAILED);
        assertThat(h.provider.contains(i.id())).as("compensated: the runtime resources are gone").isFalse();
        assertThat(h.dns.target(h.berth.instances().get(i.id()).hostname())).as("and its DNS record").isEmpty();
    }

    @Test
    void anEndedOrUnknownOperationCannotBeCancelled() {
        Instance i = h.provision(h.tenant(), "n8n");
        await().atMost(Duration.ofSeconds(60)).until(() -> "READY".equals(h.berth.operations().forInstance(i.id()).get(0).step()));
        Operation stuck = h.berth.operations().forInstance(i.id()).get(0);
        h.berth.operations().cancel(stuck.id());
        h.berth.operations().cancel(stuck.id()); // twice is fine while it runs
        awaitEnded(stuck.id());

        assertThatThrownBy(() -> h.berth.operations().cancel(stuck.id())).isInstanceOf(ConflictException.class)
                .hasMessageContaining("FAILED");
        assertThatThrownBy(() -> h.berth.operations().cancel(UUID.randomUUID().toString())).isInstanceOf(NotFoundException.class);
    }

    /** Compensation runs a whole failure path: allow for a loaded machine. */
    private Operation awaitEnded(String operationId) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> h.berth.operations().get(operationId).status() != OperationStatus.IN_PROGRESS);
        return h.berth.operations().get(operationId);
    }
}
