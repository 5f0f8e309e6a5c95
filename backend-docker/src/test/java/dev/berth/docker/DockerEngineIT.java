package dev.berth.docker;

import dev.berth.core.Berth;
import dev.berth.core.catalog.Catalog;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.lifecycle.LostInstancePolicy;
import dev.berth.core.lifecycle.Reconciler;
import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.plan.BackupPolicy;
import dev.berth.core.plan.Plan;
import dev.berth.core.secret.SecretCipher;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.core.tenant.Tenant;
import dev.berth.docker.host.DockerLabels;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeState;
import dev.berth.testkit.image.TestAppImage;
import dev.berth.testkit.memory.InMemoryBackupStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Docker provider under the whole engine: faults of the daemon during a provision, and containers removed
 * behind Berth's back. The provider talks to the daemon through a {@link DockerSocketProxy} the test can take
 * down, so the shared daemon itself keeps running.
 */
class DockerEngineIT {

    private static final String NODE = "docker-1";
    private static final ResourceLimits LIMITS = new ResourceLimits(250, 1000, 64 * ResourceLimits.MIB, 128 * ResourceLimits.MIB, ResourceLimits.GIB);

    private Path dir;
    private DockerSocketProxy proxy;
    private DockerProvider provider;
    private DockerProvider direct;
    private Berth berth;
    private final List<String> instances = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        TestAppImage.ensureAll();
        dir = Files.createTempDirectory("berth-docker-engine");
        proxy = new DockerSocketProxy(dir.resolve("docker.sock"), Path.of(DockerSettings.DEFAULT_SOCKET)).up();
        DockerSettings d = DockerTestEnv.localSettings();
        provider = new DockerProvider(new DockerSettings(List.of(DockerHostConfig.unix(DockerTestEnv.LOCAL, proxy.socket().toString())),
                d.namePrefix(), null, null, null, d.pidsLimit(), d.restartPolicy(), d.readinessTimeout(), d.stopTimeout(),
                Duration.ofSeconds(20)));
        direct = DockerTestEnv.localProvider();
        EngineSettings settings = new EngineSettings("docker-it", 2, Duration.ofMillis(100), Duration.ofMillis(500), 4,
                Duration.ofMillis(200), Duration.ofSeconds(1), 40, Duration.ofSeconds(30), "apps.test", "UTC", Set.of(), false,
                Duration.ofSeconds(1));
        berth = Berth.builder()
                .database(DatabaseSettings.h2Memory("docker-it-" + UUID.randomUUID()))
                .encryptionKeyset(SecretCipher.generateKeysetJson())
                .provider(provider)
                .catalog(Catalog.of(List.of(TestAppImage.template())))
                .backupStore(new InMemoryBackupStore())
                .onLostInstance(LostInstancePolicy.RESTORE_FROM_BACKUP)
                .engine(settings)
                .build().start();
        berth.nodes().register(new Node(NODE, DockerProvider.KIND, DockerTestEnv.LOCAL, Map.of(),
                new Capacity(8000, 8 * ResourceLimits.GIB, 100 * ResourceLimits.GIB), Overcommit.NONE, 0, null, NodeStatus.ONLINE));
        berth.plans().save(Plan.of("small", "Small", LIMITS, BackupPolicy.NONE));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.up();
        try {
            instances.forEach(direct::terminate);
            for (String id : instances) {
                assertThat(DockerTestEnv.leftovers(direct, id)).as("leftovers of %s", id).isEmpty();
            }
        } finally {
            berth.close();
            provider.close();
            direct.close();
            proxy.close();
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void provisionRetriesWhileTheDaemonIsGoneAndConvergesOnceItIsBack() {
        proxy.downAfter("/containers/create");

        Instance i = provision();
        await("the daemon to vanish after creating the container").atMost(Duration.ofSeconds(30)).until(() -> !proxy.isUp());
        await("a failed attempt to be recorded").atMost(Duration.ofSeconds(30)).until(() -> {
            Operation op = operation(i.id());
            return op.attempts() >= 2 && op.lastError() != null && op.lastError().contains("cannot be reached");
        });
        assertThat(berth.instances().get(i.id()).state()).as("while the daemon is gone").isNotIn(InstanceState.ACTIVE, InstanceState.FAILED);

        proxy.up();

        Instance active = awaitState(i.id(), InstanceState.ACTIVE);
        assertThat(operation(i.id()).status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(direct.status(i.id()).state()).isEqualTo(RuntimeState.RUNNING);
        assertThat(DockerTestEnv.client(direct, DockerTestEnv.LOCAL).listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerLabels.INSTANCE, i.id())).exec())
                .as("containers of the instance after the retries").hasSize(1);
        String env = DockerProviderIT.httpGet("http://" + direct.status(i.id()).endpoint() + TestAppImage.ENV_PATH);
        assertThat(env).contains("APP_URL=https://" + active.hostname());
    }

    @Test
    void provisionWaitsForADaemonThatIsDownFromTheStart() {
        proxy.down();

        Instance i = provision();
        await().atMost(Duration.ofSeconds(30)).until(() -> operation(i.id()).attempts() >= 2);
        proxy.up();

        awaitState(i.id(), InstanceState.ACTIVE);
        assertThat(direct.status(i.id()).state()).isEqualTo(RuntimeState.RUNNING);
    }

    @Test
    void reconcilerRecreatesARemovedContainerWithItsVolume() {
        Instance i = awaitState(provision().id(), InstanceState.ACTIVE);
        DockerTestEnv.writeMarker(direct, i.id(), "survives");
        // a lost instance is provisioned again only with a backup to restore (RESTORE_FROM_BACKUP, set above)
        awaitSucceeded(berth.instances().backup(i.id()).id());
        DockerTestEnv.Located c = DockerTestEnv.container(direct, i.id(), "app").orElseThrow();
        c.client().removeContainerCmd(c.containerId()).withForce(true).exec(); // behind Berth's back, volumes stay

        List<Reconciler.Drift> drifts = berth.reconciler().reconcile();

        assertThat(drifts).anySatisfy(d -> {
            assertThat(d.instanceId()).isEqualTo(i.id());
            assertThat(d.kind()).isEqualTo(Reconciler.Drift.Kind.MISSING);
            assertThat(d.repaired()).isTrue();
        });
        // the repair is an operation of the instance: wait for it before looking at the runtime
        drifts.stream().filter(d -> i.id().equals(d.instanceId())).forEach(d -> awaitSucceeded(d.repairOperation()));
        assertThat(direct.status(i.id()).state()).isEqualTo(RuntimeState.RUNNING);
        assertThat(DockerTestEnv.container(direct, i.id(), "app").orElseThrow().containerId()).isNotEqualTo(c.containerId());
        assertThat(DockerTestEnv.readMarker(direct, i.id())).as("data after the re-creation").contains("survives");
        assertThat(berth.reconciler().reconcile()).as("second pass").noneMatch(d -> d.instanceId().equals(i.id()));
    }

    private Instance provision() {
        Tenant t = berth.tenants().create("cus-" + UUID.randomUUID(), "t@example.com", "Tenant");
        Instance i = berth.instances().provision(new ProvisionCommand(t.id(), TestAppImage.APP_ID, "small", UUID.randomUUID().toString(), null));
        instances.add(i.id());
        return i;
    }

    private Operation operation(String instanceId) {
        return berth.operations().forInstance(instanceId).get(0);
    }

    private void awaitSucceeded(String operationId) {
        await(operationId + " to end").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> berth.operations().get(operationId).status() != OperationStatus.IN_PROGRESS);
        assertThat(berth.operations().get(operationId).status()).isEqualTo(OperationStatus.SUCCEEDED);
    }

    private Instance awaitState(String id, InstanceState state) {
        await(id + " to be " + state).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> berth.instances().get(id).state() == state);
        return berth.instances().get(id);
    }
}
