package dev.berth.testkit.engine;

import dev.berth.core.Berth;
import dev.berth.core.catalog.Catalog;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.operation.OperationType;
import dev.berth.core.secret.SecretCipher;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.core.tenant.Tenant;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.testkit.memory.InMemoryBackupStore;
import dev.berth.testkit.memory.InMemoryProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The engine's MIGRATE operation and node evacuation over an in-memory runtime with two targets. */
class EngineMigrationTest {

    private InMemoryProvider provider;
    private Berth berth;
    private Tenant tenant;

    @BeforeEach
    void start() {
        provider = InMemoryProvider.builder()
                .target("mem-1", InMemoryProvider.DEFAULT_CAPACITY).target("mem-2", InMemoryProvider.DEFAULT_CAPACITY).build();
        berth = Berth.builder().database(DatabaseSettings.h2Memory("migration-" + UUID.randomUUID()))
                .encryptionKeyset(SecretCipher.generateKeysetJson()).provider(provider).catalog(Catalog.builtin())
                .backupStore(new InMemoryBackupStore()).engine(EngineHarness.settings("worker-m")).build().start();
        for (String t : List.of("mem-1", "mem-2")) {
            berth.nodes().register(new Node("node-" + t, InMemoryProvider.KIND, t, Map.of(),
                    new Capacity(8000, 16L << 30, 200L << 30), Overcommit.NONE, 0, null, NodeStatus.ONLINE));
        }
        berth.plans().save(EngineHarness.small());
        tenant = berth.tenants().create("cus-m", "m@example.com", "M");
    }

    @AfterEach
    void stop() {
        berth.close();
    }

    @Test
    void migrateMovesAnInstanceToThePlacementsChoiceAndKeepsItsData() {
        Instance a = provisioned();
        Instance b = provisioned();
        assertThat(List.of(a.nodeId(), b.nodeId())).containsExactlyInAnyOrder("node-mem-1", "node-mem-2");
        provider.writeData(a.id(), "marker", "kept");

        Operation op = berth.instances().migrate(a.id(), null);

        assertThat(done(op)).isEqualTo(OperationStatus.SUCCEEDED);
        String other = a.nodeId().equals("node-mem-1") ? "node-mem-2" : "node-mem-1";
        assertThat(berth.instances().get(a.id()).nodeId()).isEqualTo(other);
        assertThat(berth.instances().get(a.id()).state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(provider.status(a.id()).nodeTarget()).isEqualTo(other.substring("node-".length()));
        assertThat(provider.readData(a.id(), "marker")).contains("kept");
    }

    @Test
    void evacuatingANodeMigratesEverythingOffItWithoutCreatingAnything() {
        Instance a = provisioned();
        Instance b = provisioned();
        Instance c = provisioned();

        var plan = berth.capacity().evacuate("node-mem-1");

        assertThat(plan.complete()).isTrue();
        assertThat(berth.nodes().get("node-mem-1").status()).isEqualTo(NodeStatus.DRAINING);
        for (Instance i : List.of(a, b, c)) {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> "node-mem-2".equals(berth.instances().get(i.id()).nodeId()));
            assertThat(provider.status(i.id()).nodeTarget()).isEqualTo("mem-2");
        }
        assertThat(provider.resourcesCreated()).as("migration moves, it never creates").isEqualTo(3);
    }

    @Test
    void theCurrentNodeAsTargetIsRefusedByNameAndChangesNothing() {
        Instance a = provisioned();

        assertThatThrownBy(() -> berth.instances().migrate(a.id(), a.nodeId()))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("targetNodeId");

        assertThat(berth.instances().get(a.id()).nodeId()).isEqualTo(a.nodeId());
        assertThat(berth.operations().forInstance(a.id())).noneMatch(o -> o.type() == OperationType.MIGRATE);
    }

    private Instance provisioned() {
        Instance i = berth.instances().provision(new ProvisionCommand(tenant.id(), "ghost", "small", UUID.randomUUID().toString(), null));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> berth.instances().get(i.id()).state() == InstanceState.ACTIVE);
        return berth.instances().get(i.id());
    }

    private OperationStatus done(Operation op) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> berth.operations().get(op.id()).status() != OperationStatus.IN_PROGRESS);
        return berth.operations().get(op.id()).status();
    }
}
