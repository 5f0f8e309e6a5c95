package dev.berth.testkit.memory;

import dev.berth.core.node.Capacity;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.NodeRef;
import dev.berth.spi.Providers;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InsufficientCapacityException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.testkit.time.FakeClock;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.berth.spi.ResourceLimits.GIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryProviderTest {

    private static final ResourceLimits ONE_CPU = ResourceLimits.guaranteed(1000, GIB, 10 * GIB);

    @Test
    void defaultProviderHasOneTarget() {
        InMemoryProvider provider = new InMemoryProvider();

        assertThat(provider.kind()).isEqualTo("memory");
        assertThat(provider.nodes()).containsExactly(
                new NodeCapacity("mem-1", 8000, 16 * GIB, 200 * GIB, 0, 0, 0));
    }

    @Test
    void provisionConvergesInsteadOfDuplicating() {
        InMemoryProvider provider = new InMemoryProvider();
        provider.provision(request("a", "mem-1", ONE_CPU, "1.0.0"));
        provider.writeData("a", "k", "v");
        provider.suspend("a");

        InstanceStatus again = provider.provision(request("a", "mem-1", ONE_CPU, "1.0.0"));

        assertThat(again.state()).isEqualTo(RuntimeState.RUNNING);
        assertThat(provider.readData("a", "k")).contains("v");
        assertThat(provider.createCount("a")).isEqualTo(1);
        assertThat(provider.resourcesCreated()).isEqualTo(1);
        assertThat(provider.inventory()).hasSize(1);
    }

    @Test
    void anAsynchronouslyStartingRuntimeReportsStartingForTheConfiguredChecks() {
        InMemoryProvider provider = InMemoryProvider.builder().target("mem-1", InMemoryProvider.DEFAULT_CAPACITY).startingChecks(2).build();

        assertThat(provider.provision(request("a", "mem-1", ONE_CPU, "1.0.0")).state()).isEqualTo(RuntimeState.STARTING);
        assertThat(provider.status("a").state()).isEqualTo(RuntimeState.STARTING);
        assertThat(provider.status("a").state()).isEqualTo(RuntimeState.STARTING);
        assertThat(provider.status("a").state()).isEqualTo(RuntimeState.RUNNING);
        assertThatThrownBy(() -> InMemoryProvider.builder().startingChecks(-1)).isInstanceOf(InvalidSpecException.class);
    }

    @Test
    void reprovisionAfterTerminateCountsASecondCreation() {
        InMemoryProvider provider = new InMemoryProvider();
        provider.provision(request("a", "mem-1", ONE_CPU, "1.0.0"));
        provider.terminate("a");
        provider.provision(request("a", "mem-1", ONE_CPU, "1.0.0"));

        assertThat(provider.createCount("a")).isEqualTo(2);
        assertThat(provider.readData("a", "k")).as("a new instance starts with empty volumes").isEmpty();
    }

    @Test
    void unknownIdsAreNotFoundAndTerminateIsIdempotent() {
        InMemoryProvider provider = new InMemoryProvider();

        assertThatThrownBy(() -> provider.status("x")).isInstanceOfSatisfying(NotFoundException.class, e -> {
            assertThat(e.kind()).isEqualTo("instance");
            assertThat(e.id()).isEqualTo("x");
        });
        assertThatThrownBy(() -> provider.writeData("x", "k", "v")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> provider.migration().orElseThrow().migrate("x", new NodeRef("n", "mem-1", Map.of())))
                .isInstanceOf(NotFoundException.class);
        provider.terminate("x");
        assertThat(provider.inventory()).isEmpty();
    }

    @Test
    void capacityIsEnforcedPerTarget() {
        InMemoryProvider provider = new InMemoryProvider(Map.of("small", new Capacity(1500, 4 * GIB, 50 * GIB)));
        provider.provision(request("a", "small", ONE_CPU, "1.0.0"));

        assertThatThrownBy(() -> provider.provision(request("b", "small", ONE_CPU, "1.0.0")))
                .isInstanceOf(InsufficientCapacityException.class);
        assertThatThrownBy(() -> provider.changePlan("a", ResourceLimits.guaranteed(2000, GIB, GIB)))
                .isInstanceOf(InsufficientCapacityException.class);
        assertThat(provider.status("a").appliedLimits()).isEqualTo(ONE_CPU);
        assertThat(provider.contains("b")).isFalse();
        assertThatThrownBy(() -> provider.provision(request("c", "nowhere", ONE_CPU, "1.0.0")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("node.target"));
    }

    @Test
    void nodesCountRunningRequestsAndAllDisk() {
        InMemoryProvider provider = new InMemoryProvider();
        provider.provision(request("a", "mem-1", ONE_CPU, "1.0.0"));
        provider.provision(request("b", "mem-1", ONE_CPU, "1.0.0"));
        provider.suspend("b");

        NodeCapacity node = provider.nodes().get(0);

        assertThat(node.usedCpuMillis()).isEqualTo(1000);
        assertThat(node.usedMemoryBytes()).isEqualTo(GIB);
        assertThat(node.usedDiskBytes()).isEqualTo(20 * GIB);
    }

    @Test
    void migrateChecksCapacityOnTheNewTarget() {
        InMemoryProvider provider = new InMemoryProvider(Map.of(
                "big", InMemoryProvider.DEFAULT_CAPACITY, "tiny", new Capacity(100, GIB, GIB)));
        provider.provision(request("a", "big", ONE_CPU, "1.0.0"));

        assertThatThrownBy(() -> provider.migration().orElseThrow().migrate("a", new NodeRef("t", "tiny", Map.of())))
                .isInstanceOf(InsufficientCapacityException.class);
        assertThat(provider.status("a").nodeTarget()).isEqualTo("big");
    }

    @Test
    void restoreRejectsACorruptedArchiveAndKeepsData() {
        FakeClock clock = new FakeClock(Instant.parse("2025-03-01T10:00:00Z"));
        InMemoryProvider provider = InMemoryProvider.builder().target("mem-1", InMemoryProvider.DEFAULT_CAPACITY)
                .clock(clock).build();
        InMemoryBackupStore store = new InMemoryBackupStore();
        provider.provision(request("a", "mem-1", ONE_CPU, "1.0.0"));
        provider.writeData("a", "k", "old");
        BackupManifest manifest = provider.backups().orElseThrow().backup("a", "b1", store);
        provider.writeData("a", "k", "new");
        store.corrupt("b1");

        assertThatThrownBy(() -> provider.backups().orElseThrow().restore("a", manifest, store))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining("b1");
        assertThat(provider.readData("a", "k")).contains("new");
        assertThat(manifest.createdAt()).isEqualTo(clock.instant());
        assertThat(manifest.appVersion()).isEqualTo("1.0.0");
    }

    @Test
    void capabilitiesCanBeTurnedOff() {
        InMemoryProvider provider = InMemoryProvider.builder().target("mem-1", InMemoryProvider.DEFAULT_CAPACITY)
                .backups(false).migration(false).liveResize(false).build();

        assertThat(provider.backups()).isEmpty();
        assertThat(provider.migration()).isEmpty();
        assertThat(provider.liveResize()).isEmpty();
        assertThat(new InMemoryProvider().backups()).isPresent();
    }

    @Test
    void lastRequestShowsWhatTheEngineSent() {
        InMemoryProvider provider = new InMemoryProvider();
        provider.provision(request("a", "mem-1", ONE_CPU, "1.0.0"));
        provider.upgrade(request("a", "mem-1", ONE_CPU, "2.0.0"));

        assertThat(provider.lastRequest("a")).get().extracting(ProvisionRequest::appVersion).isEqualTo("2.0.0");
        assertThat(provider.status("a").appVersion()).isEqualTo("2.0.0");
    }

    @Test
    void factoryIsFoundThroughServiceLoader() {
        RuntimeProvider provider = Providers.create("memory", Map.of("targets", "a, b", "cpuMillis", "2000"));

        assertThat(provider).isInstanceOf(InMemoryProvider.class);
        assertThat(provider.nodes()).extracting(NodeCapacity::target).containsExactly("a", "b");
        assertThat(provider.nodes()).allSatisfy(n -> assertThat(n.cpuMillis()).isEqualTo(2000));
        assertThatThrownBy(() -> Providers.create("memory", Map.of("memoryBytes", "lots")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("memoryBytes"));
        assertThat(new InMemoryProviderFactory().supports("docker")).isFalse();
    }

    private static ProvisionRequest request(String id, String target, ResourceLimits limits, String version) {
        return new ProvisionRequest(id, "t1", id, id + ".example.test", "app", version, List.of(), limits,
                new NodeRef("n-" + target, target, Map.of()), Map.of());
    }
}
