package dev.berth.testkit.engine;

import dev.berth.core.Berth;
import dev.berth.core.backup.local.LocalBackupSettings;
import dev.berth.core.backup.local.LocalBackupStore;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.integrations.IntegrationSettings;
import dev.berth.core.integrations.Integrations;
import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.notify.LoggingNotifier;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.operation.OperationType;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.testkit.memory.InMemoryProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;

import static dev.berth.testkit.engine.EngineContract.await;
import static org.assertj.core.api.Assertions.assertThat;

/** A Berth with the integrations' defaults (no DNS, log-only messages, local backups) runs the whole lifecycle. */
class IntegrationDefaultsTest {

    @TempDir
    Path backups;

    @Test
    void theDefaultsWorkWithNothingConfigured() throws Exception {
        var settings = IntegrationSettings.defaults().withBackups(new LocalBackupSettings(backups));
        assertThat(IntegrationSettings.defaults().dns()).isNull();
        assertThat(IntegrationSettings.defaults().smtp()).isNull();
        assertThat(IntegrationSettings.defaults().backups().directory()).isEqualTo(Path.of("data", "backups"));

        try (Integrations integrations = Integrations.create(settings, Clock.systemUTC())) {
            assertThat(integrations.dns()).isEmpty();
            assertThat(integrations.notifier()).isInstanceOf(LoggingNotifier.class);
            assertThat(integrations.backupStore()).isInstanceOf(LocalBackupStore.class);
            Berth berth = integrations.configure(Berth.builder()
                            .database(DatabaseSettings.h2Memory("defaults-" + UUID.randomUUID()))
                            .encryptionKeyset(EngineHarness.KEYSET)
                            .provider(InMemoryProvider.builder().target(InMemoryProvider.DEFAULT_TARGET, InMemoryProvider.DEFAULT_CAPACITY).build())
                            .engine(EngineHarness.settings("defaults")))
                    .build().start();
            try {
                berth.nodes().register(new Node("node-1", InMemoryProvider.KIND, InMemoryProvider.DEFAULT_TARGET, Map.of(),
                        new Capacity(4000, 8 * ResourceLimits.GIB, 100 * ResourceLimits.GIB), Overcommit.NONE, 0, null, NodeStatus.ONLINE));
                berth.plans().save(EngineHarness.small());
                var t = berth.tenants().create("cus-1", "cus-1@example.com", "Customer 1");
                Instance i = berth.instances().provision(new ProvisionCommand(t.id(), "n8n", "small", "k1", null));
                await(() -> berth.instances().get(i.id()).state() == InstanceState.ACTIVE);
                // the ready message went to the log
                await(() -> berth.operations().forInstance(i.id()).stream()
                        .anyMatch(o -> o.type() == OperationType.NOTIFY && o.status() == OperationStatus.SUCCEEDED));

                String backupOp = berth.instances().backup(i.id()).id();
                await(() -> berth.operations().get(backupOp).status() != OperationStatus.IN_PROGRESS);
                assertThat(berth.operations().get(backupOp).status()).isEqualTo(OperationStatus.SUCCEEDED);
                BackupManifest m = berth.instances().backups(i.id()).get(0);
                assertThat(m.encryptionKeyRef()).isEqualTo("N8N_ENCRYPTION_KEY");
                assertThat(m.appVersion()).isEqualTo("2.33.5");
                assertThat(backups.resolve(i.id()).resolve(m.backupId() + ".archive")).exists();
                assertThat(Files.readString(backups.resolve(i.id()).resolve(m.backupId() + ".manifest.json"))).contains(m.sha256());

                // the runtime restores from the local store, verifying the checksum as it reads
                String restore = berth.instances().restore(i.id(), m.backupId()).id();
                await(() -> berth.operations().get(restore).status() != OperationStatus.IN_PROGRESS);
                assertThat(berth.operations().get(restore).status()).isEqualTo(OperationStatus.SUCCEEDED);
            } finally {
                berth.close();
            }
        }
    }
}
