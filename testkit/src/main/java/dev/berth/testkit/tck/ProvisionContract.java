package dev.berth.testkit.tck;

import dev.berth.spi.InstanceStatus;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.error.NotFoundException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TCK: creating, finding and removing instances. Every provider extends this suite. Limits are always
 * compared with what {@code status()} reads back from the runtime, never with the request.
 */
public abstract class ProvisionContract extends ProviderTckSupport {

    /** Provision returns and status reports a running instance with the plan's limits, version and node. */
    @Test
    public void provisionRunsInstanceWithPlanLimits() {
        String id = newInstanceId();

        InstanceStatus returned = target().provider().provision(request(id, target().smallPlan()));
        InstanceStatus observed = awaitState(id, RuntimeState.RUNNING);

        assertThat(returned.instanceId()).isEqualTo(id);
        assertThat(returned.appliedLimits()).as("limits returned by provision").isEqualTo(target().smallPlan());
        assertThat(observed.instanceId()).isEqualTo(id);
        assertThat(observed.appliedLimits()).as("limits read back by status").isEqualTo(target().smallPlan());
        assertThat(observed.appVersion()).isEqualTo(target().version());
        assertThat(observed.nodeTarget()).isEqualTo(target().node().target());
    }

    /** Provisioning the same request twice converges on one instance and keeps its data. */
    @Test
    public void provisionTwiceKeepsOneInstanceAndItsData() {
        String id = newInstanceId();
        provisionRunning(id);
        target().writeMarker(id, "first-provision");

        InstanceStatus again = target().provider().provision(request(id, target().smallPlan()));

        assertThat(again.instanceId()).isEqualTo(id);
        assertThat(inventoryOf(id)).as("inventory entries of %s", id).hasSize(1);
        assertThat(awaitState(id, RuntimeState.RUNNING).appliedLimits()).isEqualTo(target().smallPlan());
        assertThat(target().readMarker(id)).as("data after the second provision").contains("first-provision");
    }

    /** Provisioning an existing, stopped instance starts it again (it converges to the request). */
    @Test
    public void provisionOfStoppedInstanceStartsIt() {
        String id = newInstanceId();
        provisionRunning(id);
        target().provider().suspend(id);
        awaitState(id, RuntimeState.STOPPED);

        target().provider().provision(request(id, target().smallPlan()));

        assertThat(awaitState(id, RuntimeState.RUNNING).instanceId()).isEqualTo(id);
        assertThat(inventoryOf(id)).hasSize(1);
    }

    /** Status of an id the runtime never held is a NotFoundException, not null or an empty status. */
    @Test
    public void statusOfUnknownInstanceThrowsNotFound() {
        String id = newInstanceId();

        assertThatThrownBy(() -> target().provider().status(id)).isInstanceOf(NotFoundException.class);
    }

    /** Inventory lists each instance this test created exactly once and keeps listing everything else. */
    @Test
    public void inventoryListsExactlyTheCreatedInstances() {
        Set<String> before = ids(target().provider().inventory());
        String a = newInstanceId();
        String b = newInstanceId();
        String neverProvisioned = newInstanceId();
        provisionRunning(a);
        provisionRunning(b);

        List<InstanceStatus> after = target().provider().inventory();
        Set<String> afterIds = ids(after);

        assertThat(after).extracting(InstanceStatus::instanceId).as("inventory has no duplicates")
                .doesNotHaveDuplicates();
        assertThat(afterIds.stream().filter(createdIds()::contains))
                .as("ids created by this test").containsExactlyInAnyOrder(a, b);
        assertThat(afterIds).as("instances that existed before the test").containsAll(before);
        assertThat(afterIds).doesNotContain(neverProvisioned);
        assertThat(after).filteredOn(s -> s.instanceId().equals(a) || s.instanceId().equals(b))
                .allSatisfy(s -> {
                    assertThat(s.appliedLimits()).isEqualTo(target().smallPlan());
                    assertThat(s.nodeTarget()).isEqualTo(target().node().target());
                });
    }

    /** Terminate removes the instance: gone from inventory, status NotFound, no runtime leftovers. */
    @Test
    public void terminateRemovesInstance() {
        String id = newInstanceId();
        provisionRunning(id);

        target().provider().terminate(id);

        assertThat(inventoryOf(id)).isEmpty();
        assertThatThrownBy(() -> target().provider().status(id)).isInstanceOf(NotFoundException.class);
        assertThat(target().leftovers(id)).as("leftovers of %s", id).isEmpty();
    }

    /** Terminate is idempotent: twice, and on an id that never existed, it succeeds. */
    @Test
    public void terminateIsIdempotent() {
        String id = newInstanceId();
        provisionRunning(id);

        target().provider().terminate(id);
        assertThatCode(() -> target().provider().terminate(id)).as("second terminate").doesNotThrowAnyException();
        assertThatCode(() -> target().provider().terminate(newInstanceId())).as("terminate of an unknown id")
                .doesNotThrowAnyException();
        assertThat(inventoryOf(id)).isEmpty();
    }

    /** The provider names itself, reaches its runtime and reports the test node with a real capacity. */
    @Test
    public void describesItselfAndItsNodes() {
        assertThat(target().provider().kind()).isNotBlank();
        assertThatCode(() -> target().provider().testConnection()).doesNotThrowAnyException();

        List<NodeCapacity> nodes = target().provider().nodes();

        assertThat(nodes).extracting(NodeCapacity::target).contains(target().node().target());
        assertThat(nodes).filteredOn(n -> n.target().equals(target().node().target())).allSatisfy(n -> {
            assertThat(n.cpuMillis()).isPositive();
            assertThat(n.memoryBytes()).isPositive();
            assertThat(n.diskBytes()).isPositive();
        });
    }

    private static Set<String> ids(List<InstanceStatus> statuses) {
        return statuses.stream().map(InstanceStatus::instanceId).collect(Collectors.toSet());
    }
}
