package dev.berth.proxmox.lxc;

import dev.berth.core.Berth;
import dev.berth.core.catalog.Catalog;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeHealthSettings;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.operation.OperationType;
import dev.berth.core.plan.BackupPolicy;
import dev.berth.core.plan.Isolation;
import dev.berth.core.plan.Plan;
import dev.berth.core.secret.SecretCipher;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.core.tenant.Tenant;
import dev.berth.proxmox.sim.ProxmoxSimulator;
import dev.berth.proxmox.sim.SimCluster;
import dev.berth.spi.NodeCapacity;
import dev.berth.testkit.memory.InMemoryBackupStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Berth's engine placing instances on a simulated three-node Proxmox cluster: a node that goes offline gets no
 * new instances, and draining a node migrates its instances to the others (restart migration through the API).
 */
class ProxmoxPlacementIT {

    private static final String CATALOG = """
            apps:
              - id: testapp
                name: Test app
                description: A one-process app from an LXC template.
                defaultVersion: "1.0.0"
                supportedVersions: ["1.0.0"]
                licence:
                  spdx: MIT
                  notes: Test fixture.
                  requiresAcknowledgement: false
                secrets:
                  - name: APP_SECRET
                    length: 24
                    alphabet: ALPHANUMERIC
                components:
                  - name: app
                    lxcTemplate: "%s"
                    http: true
                    ports:
                      - name: http
                        port: 8080
                    volumes:
                      - name: data
                        path: /var/lib/testapp
                    env:
                      APP_HOST: "${host}"
                      APP_SECRET: "${secret.APP_SECRET}"
                    readiness:
                      port: 8080
                      timeout: PT1M
            """.formatted(SimCluster.TEMPLATE);

    private SimCluster cluster;
    private Berth berth;
    private Tenant tenant;

    @BeforeEach
    void start() {
        cluster = SimCluster.start(3);
        berth = Berth.builder()
                .database(DatabaseSettings.h2Memory("proxmox-placement-" + UUID.randomUUID()))
                .encryptionKeyset(SecretCipher.generateKeysetJson())
                .provider(cluster.provider())
                .catalog(Catalog.parseYaml(CATALOG))
                .backupStore(new InMemoryBackupStore())
                .build().start();
        for (NodeCapacity n : cluster.provider().nodes()) {
            berth.nodes().register(new Node("node-" + n.target(), ProxmoxLxcProvider.KIND, n.target(), Map.of(),
                    new Capacity(n.cpuMillis(), n.memoryBytes(), n.diskBytes()), Overcommit.NONE, 0, null, NodeStatus.ONLINE));
        }
        berth.plans().save(new Plan("small", "Small", ProvisionRequests.SMALL, BackupPolicy.NONE, Isolation.SHARED,
                Duration.ofDays(7), Duration.ofDays(30), Map.of()));
        tenant = berth.tenants().create("cus-1", "cus-1@example.com", "Customer 1");
    }

    @AfterEach
    void stop() {
        assertThat(cluster.sim().schemaViolations()).isEmpty();
        berth.close();
        cluster.close();
    }

    @Test
    void newInstancesAvoidAnOfflineNodeAndDrainingMovesInstancesAway() {
        List<Instance> first = provision(3);
        assertThat(first).extracting(Instance::nodeId).as("least-instances spreads over the three nodes")
                .containsExactlyInAnyOrder("node-pve1", "node-pve2", "node-pve3");

        cluster.sim().setOnline("pve3", false);
        // the engine's node health job: a target the cluster no longer reports fails each check, and after
        // failuresBeforeOffline consecutive failures the node is OFFLINE
        for (int i = 0; i < NodeHealthSettings.defaults().failuresBeforeOffline(); i++) {
            berth.jobs().checkNodes();
        }
        assertThat(berth.nodes().get("node-pve3").status()).isEqualTo(NodeStatus.OFFLINE);

        List<Instance> later = provision(4);
        assertThat(later).extracting(Instance::nodeId).as("nothing placed on the offline node")
                .doesNotContain("node-pve3").containsOnly("node-pve1", "node-pve2");
        assertThat(cluster.sim().containers()).filteredOn(c -> c.node().equals("pve3")).as("containers on pve3").hasSize(1);

        var evacuation = berth.capacity().evacuate("node-pve2");
        assertThat(evacuation.moves()).hasSize(3);
        assertThat(evacuation.moves()).extracting(m -> m.targetNodeId()).as("never onto the offline node")
                .containsOnly("node-pve1");
        for (var move : evacuation.moves()) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> berth.operations().forInstance(move.instanceId()).stream()
                            .noneMatch(op -> op.status() == OperationStatus.IN_PROGRESS));
            assertThat(berth.operations().forInstance(move.instanceId()))
                    .filteredOn(op -> op.type() == OperationType.MIGRATE)
                    .extracting(Operation::status).as("migration of %s", move.instanceId())
                    .containsExactly(OperationStatus.SUCCEEDED);
        }

        List<Instance> all = new ArrayList<>(first);
        all.addAll(later);
        Map<String, String> nodeOf = all.stream().map(i -> berth.instances().get(i.id()))
                .collect(Collectors.toMap(Instance::id, Instance::nodeId));
        assertThat(nodeOf.values()).as("nothing left on the drained node").doesNotContain("node-pve2");
        assertThat(nodeOf.values().stream().filter("node-pve1"::equals).count()).isEqualTo(6);
        for (Instance i : all) {
            assertThat(berth.instances().get(i.id()).state()).isEqualTo(InstanceState.ACTIVE);
            List<ProxmoxSimulator.CtView> cts = cluster.sim().containers().stream()
                    .filter(c -> c.config().getOrDefault("tags", "").contains("berth-i-" + i.id() + ";")).toList();
            assertThat(cts).as("containers of %s", i.id()).hasSize(1);
            assertThat("node-" + cts.get(0).node()).as("the runtime agrees with Berth").isEqualTo(nodeOf.get(i.id()));
        }
        assertThat(cluster.sim().containers()).filteredOn(c -> c.node().equals("pve2")).isEmpty();
    }

    private List<Instance> provision(int n) {
        List<Instance> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Instance i = berth.instances().provision(new ProvisionCommand(tenant.id(), "testapp", "small",
                    UUID.randomUUID().toString(), null));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> berth.instances().get(i.id()).state() == InstanceState.ACTIVE);
            out.add(berth.instances().get(i.id()));
        }
        return out;
    }
}
