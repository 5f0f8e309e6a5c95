package dev.berth.testkit.tck;

import dev.berth.core.error.NotFoundException;
import dev.berth.core.provider.InstanceStatus;
import dev.berth.core.provider.NodeCapacity;
import dev.berth.core.provider.RuntimeState;
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

        InstanceStatus returned = provider().provision(request(id, smallPlan()));
        InstanceStatus observed = awaitState(id, RuntimeState.RUNNING);

        assertThat(returned.instanceId()).isEqualTo(id);
        assertThat(returned.appliedLimits()).as("limits returned by provision").isEqualTo(smallPlan());
        assertThat(observed.instanceId()).isEqualTo(id);
        assertThat(observed.appliedLimits()).as("limits read back by status").isEqualTo(smallPlan());
        assertThat(observed.appVersion()).isEqualTo(version());
        assertThat(observed.nodeTarget()).isEqualTo(node().target());
    }

    /** Provisioning the same request twice converges on one instance and keeps its data. */
    @Test
    public void provisionTwiceKeepsOneInstanceAndItsData() {
        String id = newInstanceId();
        provisionRunning(id);
        writeMarker(id, "first-provision");

        InstanceStatus again = provider().provision(request(id, smallPlan()));

        assertThat(again.instanceId()).isEqualTo(id);
        assertThat(inventoryOf(id)).as("inventory entries of %s", id).hasSize(1);
        assertThat(awaitState(id, RuntimeState.RUNNING).appliedLimits()).isEqualTo(smallPlan());
        assertThat(readMarker(id)).as("data after the second provision").contains("first-provision");
    }

    /** Provisioning an existing, stopped instance starts it again (it converges to the request). */
    @Test
    public void provisionOfStoppedInstanceStartsIt() {
        String id = newInstanceId();
        provisionRunning(id);
        provider().suspend(id);
        awaitState(id, RuntimeState.STOPPED);

        provider().provision(request(id, smallPlan()));

        assertThat(awaitState(id, RuntimeState.RUNNING).instanceId()).isEqualTo(id);
        assertThat(inventoryOf(id)).hasSize(1);
    }

    /** Status of an id the runtime never held is a NotFoundException, not null or an empty status. */
    @Test
    public void statusOfUnknownInstanceThrowsNotFound() {
        String id = newInstanceId();

        assertThatThrownBy(() -> provider().status(id)).isInstanceOf(NotFoundException.class);
    }

    /** Inventory lists each instance this test created exactly once and keeps listing everything else. */
    @Test
    public void inventoryListsExactlyTheCreatedInstances() {
        Set<String> before = ids(provider().inventory());
        String a = newInstanceId();
        String b = newInstanceId();
        String neverProvisioned = newInstanceId();
        provisionRunning(a);
        provisionRunning(b);

        List<InstanceStatus> after = provider().inventory();
        Set<String> afterIds = ids(after);

        assertThat(after).extracting(InstanceStatus::instanceId).as("inventory has no duplicates")
                .doesNotHaveDuplicates();
        assertThat(afterIds.stream().filter(createdIds()::contains))
                .as("ids created by this test").containsExactlyInAnyOrder(a, b);
        assertThat(afterIds).as("instances that existed before the test").containsAll(before);
        assertThat(afterIds).doesNotContain(neverProvisioned);
        assertThat(after).filteredOn(s -> s.instanceId().equals(a) || s.instanceId().equals(b))
                .allSatisfy(s -> {
                    assertThat(s.appliedLimits()).isEqualTo(smallPlan());
                    assertThat(s.nodeTarget()).isEqualTo(node().target());
                });
    }

    /** Terminate removes the instance: gone from inventory, status NotFound, no runtime leftovers. */
    @Test
    public void terminateRemovesInstance() {
        String id = newInstanceId();
        provisionRunning(id);

        provider().terminate(id);

        assertThat(inventoryOf(id)).isEmpty();
        assertThatThrownBy(() -> provider().status(id)).isInstanceOf(NotFoundException.class);
        assertThat(leftovers(id)).as("leftovers of %s", id).isEmpty();
    }

    /** Terminate is idempotent: twice, and on an id that never existed, it succeeds. */
    @Test
    public void terminateIsIdempotent() {
        String id = newInstanceId();
        provisionRunning(id);

        provider().terminate(id);
        assertThatCode(() -> provider().terminate(id)).as("second terminate").doesNotThrowAnyException();
        assertThatCode(() -> provider().terminate(newInstanceId())).as("terminate of an unknown id")
                .doesNotThrowAnyException();
        assertThat(inventoryOf(id)).isEmpty();
    }

    /** The provider names itself, reaches its runtime and reports the test node with a real capacity. */
    @Test
    public void describesItselfAndItsNodes() {
        assertThat(provider().kind()).isNotBlank();
        assertThatCode(() -> provider().testConnection()).doesNotThrowAnyException();

        List<NodeCapacity> nodes = provider().nodes();

        assertThat(nodes).extracting(NodeCapacity::target).contains(node().target());
        assertThat(nodes).filteredOn(n -> n.target().equals(node().target())).allSatisfy(n -> {
            assertThat(n.cpuMillis()).isPositive();
            assertThat(n.memoryBytes()).isPositive();
            assertThat(n.diskBytes()).isPositive();
        });
    }

    private static Set<String> ids(List<InstanceStatus> statuses) {
        return statuses.stream().map(InstanceStatus::instanceId).collect(Collectors.toSet());
    }
}
