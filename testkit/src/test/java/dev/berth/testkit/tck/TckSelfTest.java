package dev.berth.testkit.tck;

import dev.berth.spi.BackupSupport;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.MigrationSupport;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.NodeRef;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;
import dev.berth.testkit.memory.InMemoryProvider;
import dev.berth.testkit.memory.InMemoryTckTarget;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Proves the TCK can fail: each test breaks one promise of the SPI in a wrapper around the in-memory provider
 * and checks that the matching contract test (or the leak check) fails.
 */
class TckSelfTest {

    private final InMemoryProvider memory = InMemoryTckTarget.twoTargets();

    @Test
    void correctProviderPassesTheCheckedTests() {
        Broken provider = new Broken(memory);

        assertThatCode(() -> runTest(new Provision(provider, memory), ProvisionContract::provisionRunsInstanceWithPlanLimits))
                .doesNotThrowAnyException();
    }

    @Test
    void limitsNotReadBackAreCaught() {
        Broken provider = new Broken(memory) {
            @Override
            InstanceStatus fix(InstanceStatus s) {
                // reports a fixed ceiling whatever the runtime enforces
                return new InstanceStatus(s.instanceId(), s.nodeTarget(), s.state(), s.appVersion(),
                        ResourceLimits.guaranteed(1000, 512 * ResourceLimits.MIB, ResourceLimits.GIB), s.endpoint());
            }
        };

        assertFails(new Provision(provider, memory), ProvisionContract::provisionRunsInstanceWithPlanLimits);
        assertFails(new Lifecycle(provider, memory), LifecycleContract::changePlanAppliesNewLimits);
    }

    @Test
    void duplicateInventoryEntriesAreCaught() {
        Broken provider = new Broken(memory) {
            @Override
            public List<InstanceStatus> inventory() {
                List<InstanceStatus> twice = new ArrayList<>(super.inventory());
                twice.addAll(super.inventory());
                return twice;
            }
        };

        assertFails(new Provision(provider, memory), ProvisionContract::provisionTwiceKeepsOneInstanceAndItsData);
        assertFails(new Provision(provider, memory), ProvisionContract::inventoryListsExactlyTheCreatedInstances);
    }

    @Test
    void terminateThatLeaksIsCaughtByTheLeakCheck() {
        Broken provider = new Broken(memory) {
            @Override
            public void terminate(String instanceId) {
                // forgets to remove anything
            }
        };

        assertFails(new Provision(provider, memory), ProvisionContract::provisionRunsInstanceWithPlanLimits);
    }

    @Test
    void leftoversReportedByTheSubclassAreCaught() {
        Provision suite = new Provision(new InMemoryTckTarget(new Broken(memory), memory) {
            @Override
            public List<String> leftovers(String instanceId) {
                return List.of("volume " + instanceId + "-data");
            }
        });

        assertFails(suite, ProvisionContract::provisionRunsInstanceWithPlanLimits);
    }

    @Test
    void suspendThatLosesDataIsCaught() {
        Broken provider = new Broken(memory) {
            @Override
            public void suspend(String instanceId) {
                super.suspend(instanceId);
                memory.writeData(instanceId, "marker", "wiped");
            }
        };

        assertFails(new Lifecycle(provider, memory), LifecycleContract::suspendStopsAndResumeKeepsData);
    }

    @Test
    void upgradeThatKeepsTheOldVersionIsCaught() {
        Broken provider = new Broken(memory) {
            @Override
            public InstanceStatus upgrade(ProvisionRequest request) {
                return status(request.instanceId());
            }
        };

        assertFails(new Lifecycle(provider, memory), LifecycleContract::upgradeChangesVersionAndKeepsData);
    }

    @Test
    void restoreThatDoesNothingIsCaught() {
        Broken provider = new Broken(memory) {
            @Override
            public Optional<BackupSupport> backups() {
                BackupSupport real = memory.backups().orElseThrow();
                return Optional.of(new BackupSupport() {
                    @Override
                    public BackupManifest backup(String instanceId, String backupId, BackupStore store) {
                        return real.backup(instanceId, backupId, store);
                    }

                    @Override
                    public void restore(String instanceId, BackupManifest backup, BackupStore store) {
                    }
                });
            }
        };

        assertFails(new Backup(provider, memory), BackupContract::restoreBringsBackTheBackedUpData);
    }

    @Test
    void missingCapabilitiesAreCaught() {
        InMemoryProvider bare = InMemoryProvider.builder().target("mem-1", InMemoryProvider.DEFAULT_CAPACITY)
                .target("mem-2", InMemoryProvider.DEFAULT_CAPACITY).backups(false).migration(false).build();

        assertFails(new Backup(bare, bare), BackupContract::capabilityDeclared);
        assertFails(new Backup(bare, bare), BackupContract::manifestMatchesStoredArchive);
        assertFails(new Migration(bare, bare), MigrationContract::migrateMovesInstanceAndKeepsData);
    }

    @Test
    void migrationThatStaysIsCaught() {
        Broken provider = new Broken(memory) {
            @Override
            public Optional<MigrationSupport> migration() {
                return Optional.of((id, target) -> status(id));
            }
        };

        assertFails(new Migration(provider, memory), MigrationContract::migrateMovesInstanceAndKeepsData);
    }

    @Test
    void targetWithoutSecondNodeFailsTheMigrationSuite() {
        TckTarget full = new InMemoryTckTarget(memory, memory);
        TckTarget oneNode = new TckTarget() { // implements only what is abstract, so otherNode() is the default
            @Override public RuntimeProvider provider() { return full.provider(); }
            @Override public NodeRef node() { return full.node(); }
            @Override public List<ComponentSpec> components(String id, String v) { return full.components(id, v); }
            @Override public void writeMarker(String id, String content) { full.writeMarker(id, content); }
            @Override public Optional<String> readMarker(String id) { return full.readMarker(id); }
        };

        assertThatThrownBy(() -> runTest(new Migration(oneNode), MigrationContract::capabilityDeclared))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("otherNode()");
    }

    // ---------------------------------------------------------------- plumbing

    private interface SuiteTest<S> {
        void run(S suite) throws Exception;
    }

    /** Runs one test method the way JUnit would: the test, then the base's leak check. */
    private static <S extends ProviderTckSupport> void runTest(S suite, SuiteTest<S> test) throws Exception {
        try {
            test.run(suite);
        } finally {
            suite.terminateAndCheckForLeaks();
        }
    }

    private static <S extends ProviderTckSupport> void assertFails(S suite, SuiteTest<S> test) {
        assertThatThrownBy(() -> runTest(suite, test)).isInstanceOf(AssertionError.class);
    }

    /** Delegates everything to the in-memory provider; a test overrides one method to break one promise. */
    private static class Broken implements RuntimeProvider {
        private final InMemoryProvider real;

        Broken(InMemoryProvider real) {
            this.real = real;
        }

        InstanceStatus fix(InstanceStatus s) {
            return s;
        }

        @Override public String kind() { return real.kind(); }
        @Override public InstanceStatus provision(ProvisionRequest r) { return fix(real.provision(r)); }
        @Override public void suspend(String id) { real.suspend(id); }
        @Override public void resume(String id) { real.resume(id); }
        @Override public InstanceStatus changePlan(String id, ResourceLimits l) { return fix(real.changePlan(id, l)); }
        @Override public InstanceStatus upgrade(ProvisionRequest r) { return fix(real.upgrade(r)); }
        @Override public InstanceStatus status(String id) { return fix(real.status(id)); }
        @Override public List<InstanceStatus> inventory() { return real.inventory().stream().map(this::fix).toList(); }
        @Override public void terminate(String id) { real.terminate(id); }
        @Override public List<NodeCapacity> nodes() { return real.nodes(); }
        @Override public void testConnection() { real.testConnection(); }
        @Override public Optional<BackupSupport> backups() { return real.backups(); }
        @Override public Optional<MigrationSupport> migration() { return real.migration(); }
    }

    /** The in-memory target around {@code provider}, with a short wait so a broken promise fails fast. */
    private static TckTarget fastTarget(RuntimeProvider provider, InMemoryProvider memory) {
        return new InMemoryTckTarget(provider, memory) {
            @Override
            public Duration stateTimeout() {
                return Duration.ofSeconds(1);
            }
        };
    }

    private static class Provision extends ProvisionContract {
        private final TckTarget target;

        Provision(RuntimeProvider provider, InMemoryProvider memory) {
            this(fastTarget(provider, memory));
        }

        Provision(TckTarget target) {
            this.target = target;
        }

        @Override protected TckTarget target() { return target; }
    }

    private static class Lifecycle extends LifecycleContract {
        private final TckTarget target;

        Lifecycle(RuntimeProvider provider, InMemoryProvider memory) {
            this.target = fastTarget(provider, memory);
        }

        @Override protected TckTarget target() { return target; }
    }

    private static class Backup extends BackupContract {
        private final TckTarget target;

        Backup(RuntimeProvider provider, InMemoryProvider memory) {
            this.target = fastTarget(provider, memory);
        }

        @Override protected TckTarget target() { return target; }
    }

    private static class Migration extends MigrationContract {
        private final TckTarget target;

        Migration(RuntimeProvider provider, InMemoryProvider memory) {
            this(fastTarget(provider, memory));
        }

        Migration(TckTarget target) {
            this.target = target;
        }

        @Override protected TckTarget target() { return target; }
    }
}
