package dev.berth.testkit.engine;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.node.Capacity;
import dev.berth.core.node.NodeHealthSettings;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.NodeUpdate;
import dev.berth.core.node.Overcommit;
import dev.berth.core.placement.MigrationPlanner;
import dev.berth.core.plan.BackupPolicy;
import dev.berth.core.plan.Plan;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.core.tenant.Tenant;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.testkit.memory.InMemoryProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Placement and node management through the engine, over the in-memory runtime with several targets: strategies
 * chosen per plan, tenant labels, node updates and statuses, credentials, the health and usage job, the queue,
 * the race for the last slot, migration plans and evacuation, and capacity checks against real placements.
 * Run on H2 ({@code PlacementEngineH2Test}) and PostgreSQL ({@code PlacementEnginePostgresIT}).
 */
abstract class PlacementEngineContract {

    /** A fresh, empty database for one harness. */
    protected abstract DatabaseSettings freshDatabase();

    final List<EngineHarness> harnesses = new ArrayList<>();

    @AfterEach
    void stop() {
        harnesses.forEach(EngineHarness::close);
    }

    /** A harness whose runtime has targets t-a, t-b, t-c (16 GiB each, so the nodes' sizes decide). */
    EngineHarness harness(EngineSettings... settings) {
        var targets = new LinkedHashMap<String, Capacity>();
        for (String t : List.of("t-a", "t-b", "t-c")) targets.put(t, InMemoryProvider.DEFAULT_CAPACITY);
        var h = EngineHarness.create(freshDatabase(), settings.length == 0 ? EngineHarness.settings("placement") : settings[0], targets)
                .withPlans();
        harnesses.add(h);
        return h;
    }

    private static Instance provision(EngineHarness h, Tenant t, String plan, Map<String, String> labels) {
        return h.berth.instances().provision(new ProvisionCommand(t.id(), "ghost", plan, UUID.randomUUID().toString(), null, labels));
    }

    private static Plan plan(String id, String strategy, boolean antiAffinity) {
        return Plan.of(id, id, EngineHarness.small().resources(), BackupPolicy.NONE).withPlacement(strategy, antiAffinity);
    }

    // ---- strategies ------------------------------------------------------------------------------------------

    @Test
    void eachPlanPlacesWithItsOwnStrategyAndTheOthersWithTheGlobalOne() {
        var h = harness();
        h.node("node-a", "t-a", 4, Map.of());
        h.node("node-b", "t-b", 4, Map.of());
        h.berth.plans().save(plan("packed", "bin-pack", false));
        Tenant t = h.tenant();
        // bin-pack: the second instance joins the first one's node (the fuller one)
        Instance p1 = h.awaitState(provision(h, t, "packed", Map.of()).id(), InstanceState.ACTIVE);
        Instance p2 = h.awaitState(provision(h, t, "packed", Map.of()).id(), InstanceState.ACTIVE);
        assertThat(p2.nodeId()).isEqualTo(p1.nodeId()).isEqualTo("node-a");
        // the global strategy (least-instances) sends the next "small" one to the emptier node
        Instance s1 = h.awaitState(h.provision(t, "ghost").id(), InstanceState.ACTIVE);
        assertThat(s1.nodeId()).isEqualTo("node-b");

        assertThatThrownBy(() -> h.berth.plans().save(plan("odd", "round-robin", false)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("placementStrategy"))
                .hasMessageContaining("bin-pack");
        assertThat(h.berth.plans().find("odd")).isEmpty();
        assertThat(h.berth.plans().get("packed").placementStrategy()).isEqualTo("bin-pack");
    }

    @Test
    void antiAffinityPerPlanSpreadsOneTenantButStillPlacesWhenOnlyItsNodeHasRoom() {
        var h = harness();
        h.node("node-a", "t-a", 3, Map.of());
        h.node("node-b", "t-b", 1, Map.of());
        h.berth.plans().save(plan("spread-me", "bin-pack", true));
        Tenant t = h.tenant();
        Instance first = h.awaitState(provision(h, t, "spread-me", Map.of()).id(), InstanceState.ACTIVE);
        Instance second = h.awaitState(provision(h, t, "spread-me", Map.of()).id(), InstanceState.ACTIVE);
        assertThat(second.nodeId()).isNotEqualTo(first.nodeId());
        // both nodes now hold the tenant: it is a preference, so the third still goes where there is room
        Instance third = h.awaitState(provision(h, t, "spread-me", Map.of()).id(), InstanceState.ACTIVE);
        assertThat(third.nodeId()).isEqualTo("node-a");
    }

    @Test
    void aRegionRequestedByTheTenantIsOnlyPlacedOnNodesCarryingIt() {
        var h = harness();
        h.node("node-eu", "t-a", 2, Map.of("region", "eu"));
        h.node("node-us", "t-b", 2, Map.of("region", "us"));
        Tenant t = h.tenant();
        assertThat(h.awaitState(provision(h, t, "small", Map.of("region", "us")).id(), InstanceState.ACTIVE).nodeId())
                .isEqualTo("node-us");
        Instance asia = h.awaitState(provision(h, t, "small", Map.of("region", "asia")).id(), InstanceState.QUEUED);
        assertThat(asia.stateReason()).contains("node-eu: label region=asia missing").contains("node-us: label region=asia missing");
        assertThat(h.berth.capacity().check("small", t.id(), Map.of("region", "asia")).placeableNow()).isFalse();
        assertThatThrownBy(() -> provision(h, t, "small", Map.of("Region!", "x")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("requiredLabels"));
        // a node labelled for the region appears: the queued instance is placed there
        h.node("node-asia", "t-c", 1, Map.of("region", "asia"));
        assertThat(h.awaitState(asia.id(), InstanceState.ACTIVE).nodeId()).isEqualTo("node-asia");
    }

    // ---- node registry ---------------------------------------------------------------------------------------

    @Test
    void updatesAreValidatedFieldByFieldAndMoreRoomDrainsTheQueue() {
        var h = harness();
        h.node("node-a", "t-a", 1, Map.of("tier", "gold"));
        Tenant t = h.tenant();
        h.awaitState(h.provision(t, "ghost").id(), InstanceState.ACTIVE);
        Instance queued = h.awaitState(h.provision(t, "ghost").id(), InstanceState.QUEUED);
        var before = h.berth.nodes().get("node-a");

        assertThatThrownBy(() -> h.berth.nodes().update("node-a", NodeUpdate.none().withReservedFraction(0.95)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("reservedFraction"));
        assertThatThrownBy(() -> h.berth.nodes().update("node-a", NodeUpdate.none().withOvercommit(new Overcommit(4, 0.5, 1))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("overcommit.memory"));
        assertThatThrownBy(() -> h.berth.nodes().update("node-a", NodeUpdate.none().withLabels(Map.of("", "x"))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("labels"));
        assertThat(h.berth.nodes().get("node-a")).isEqualTo(before);

        // CPU 4:1 alone is not enough (memory is 1:1 and full) ...
        h.berth.nodes().update("node-a", NodeUpdate.none().withOvercommit(new Overcommit(4, 1, 1)));
        assertThat(h.berth.instances().get(queued.id()).state()).isEqualTo(InstanceState.QUEUED);
        // ... doubling memory is: the queue drains by itself
        var node = h.berth.nodes().update("node-a", NodeUpdate.none()
                .withCapacity(new Capacity(250, 512 * ResourceLimits.MIB, 200 * ResourceLimits.GIB)).withLabels(Map.of("tier", "silver")));
        assertThat(node.labels()).containsEntry("tier", "silver");
        assertThat(node.overcommit().cpu()).isEqualTo(4);
        assertThat(h.awaitState(queued.id(), InstanceState.ACTIVE).nodeId()).isEqualTo("node-a");
        // and the reserved headroom takes it away again for the next one
        h.berth.nodes().update("node-a", NodeUpdate.none().withReservedFraction(0.5));
        assertThat(h.berth.capacity().check("small", t.id()).placeableNow()).isFalse();
    }

    @Test
    void cordonedDrainingAndMaintenanceNodesTakeNothingNewButKeepTheirInstances() {
        var h = harness();
        h.node("node-a", "t-a", 4, Map.of());
        Tenant t = h.tenant();
        Instance a = h.awaitState(h.provision(t, "ghost").id(), InstanceState.ACTIVE);
        for (NodeStatus s : List.of(NodeStatus.CORDONED, NodeStatus.DRAINING, NodeStatus.MAINTENANCE)) {
            h.berth.nodes().setStatus("node-a", s);
            assertThat(h.berth.capacity().check("small", t.id()).rejections()).containsEntry("node-a", "node is " + s);
            assertThat(h.berth.instances().get(a.id()).state()).isEqualTo(InstanceState.ACTIVE);
        }
        Instance q = h.awaitState(h.provision(t, "ghost").id(), InstanceState.QUEUED);
        assertThat(q.stateReason()).contains("node-a: node is MAINTENANCE");
        h.berth.nodes().online("node-a");
        h.awaitState(q.id(), InstanceState.ACTIVE);
    }

    @Test
    void nodeCredentialsAreEncryptedBoundToTheirNodeAndNeverShown() throws Exception {
        var h = harness();
        h.node("node-a", "t-a", 1, Map.of());
        h.node("node-b", "t-b", 1, Map.of());
        String token = "PVEAPIToken=root@pam!berth=" + UUID.randomUUID();
        h.berth.nodes().setCredential("node-a", SecretValue.of(token));
        assertThat(h.berth.nodes().credential("node-a")).hasValueSatisfying(v -> assertThat(v.reveal()).isEqualTo(token));
        assertThat(h.berth.nodes().credential("node-b")).isEmpty();
        assertThat(h.berth.nodes().get("node-a").toString()).doesNotContain(token);
        assertThat(h.berth.nodes().credential("node-a").toString()).doesNotContain(token);
        assertThatThrownBy(() -> h.berth.nodes().setCredential("node-a", SecretValue.of("")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("credential"));

        try (var c = DriverManager.getConnection(h.database.jdbcUrl(), h.database.user(), h.database.password())) {
            byte[] stored;
            try (var rs = c.createStatement().executeQuery("select credential from nodes where id = 'node-a'")) {
                rs.next();
                stored = rs.getBytes(1);
            }
            assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(token).doesNotContain("PVEAPIToken");
            // the ciphertext is bound to its node: copied onto another node it does not decrypt
            try (var ps = c.prepareStatement("update nodes set credential = ? where id = 'node-b'")) {
                ps.setBytes(1, stored);
                ps.executeUpdate();
            }
        }
        assertThatThrownBy(() -> h.berth.nodes().credential("node-b")).satisfies(e -> assertThat(e.toString()).doesNotContain(token));
    }

    @Test
    void deregistrationIsRefusedWhileInstancesLiveThereAndRemovesAnEmptyNode() {
        var h = harness();
        h.node("node-a", "t-a", 2, Map.of());
        Tenant t = h.tenant();
        Instance a = h.awaitState(h.provision(t, "ghost").id(), InstanceState.ACTIVE);
        assertThatThrownBy(() -> h.berth.nodes().deregister("node-a"))
                .isInstanceOf(ConflictException.class).hasMessageContaining("node-a").hasMessageContaining("1 instance");
        assertThat(h.berth.nodes().find("node-a")).isPresent();
        h.awaitDone(h.berth.instances().terminate(a.id()).id());
        h.berth.nodes().deregister("node-a");
        assertThat(h.berth.nodes().find("node-a")).isEmpty();
    }

    // ---- health and usage ------------------------------------------------------------------------------------

    @Test
    void aNodeFailingItsHealthChecksGoesOfflineGetsNothingAndComesBack() {
        var h = harness(EngineHarness.settings("health").withNodeHealth(new NodeHealthSettings(3, 0.9, 0.8, 0.85, Duration.ofHours(1))));
        h.node("node-a", "t-a", 2, Map.of());
        h.node("node-m", "t-b", 2, Map.of());
        h.berth.nodes().maintenance("node-m");
        List<BerthEvent> events = Collections.synchronizedList(new ArrayList<>());
        h.berth.onEvent(events::add);
        Tenant t = h.tenant();

        assertThat(h.berth.jobs().checkNodes()).isEmpty();
        h.provider.failAlways(InMemoryProvider.Verb.NODES, () -> new dev.berth.spi.error.UnavailableException("connection refused"));
        for (int k = 1; k <= 2; k++) {
            h.clock.advance(Duration.ofMinutes(1));
            assertThat(h.berth.jobs().checkNodes()).containsExactly("node-a", "node-m");
            assertThat(h.berth.nodes().get("node-a").status()).isEqualTo(NodeStatus.ONLINE);
        }
        h.clock.advance(Duration.ofMinutes(1));
        h.berth.jobs().checkNodes();
        assertThat(h.berth.nodes().get("node-a").status()).isEqualTo(NodeStatus.OFFLINE);
        assertThat(h.berth.nodes().get("node-m").status()).isEqualTo(NodeStatus.MAINTENANCE); // muted
        assertThat(events).filteredOn(e -> e.type() == BerthEvent.Type.NODE_OFFLINE).singleElement()
                .satisfies(e -> assertThat(e.detail()).startsWith("node node-a").contains("connection refused"));
        h.clock.advance(Duration.ofMinutes(1));
        h.berth.jobs().checkNodes(); // a fourth failure raises nothing new
        assertThat(events).filteredOn(e -> e.type() == BerthEvent.Type.NODE_OFFLINE).hasSize(1);

        Instance q = h.awaitState(h.provision(t, "ghost").id(), InstanceState.QUEUED);
        assertThat(q.stateReason()).contains("node-a: node is OFFLINE");

        h.provider.clearFaults();
        h.clock.advance(Duration.ofMinutes(1));
        assertThat(h.berth.jobs().checkNodes()).isEmpty();
        assertThat(h.berth.nodes().get("node-a").status()).isEqualTo(NodeStatus.ONLINE);
        assertThat(events).extracting(BerthEvent::type).contains(BerthEvent.Type.NODE_ONLINE);
        assertThat(h.awaitState(q.id(), InstanceState.ACTIVE).nodeId()).isEqualTo("node-a");

        // a node the provider does not report at all fails too
        h.node("node-x", "no-such-target", 1, Map.of());
        assertThat(h.berth.jobs().checkNodes()).containsExactly("node-x");
    }

    @Test
    void usageIsSampledThresholdsRaiseEventsAndHistoryIsBounded() {
        var targets = Map.of("t-small", new Capacity(4000, ResourceLimits.GIB, 100 * ResourceLimits.GIB));
        var h = EngineHarness.create(freshDatabase(), EngineHarness.settings("usage")
                .withNodeHealth(new NodeHealthSettings(3, 0.9, 0.5, 0.85, Duration.ofHours(2))), targets).withPlans();
        harnesses.add(h);
        h.node("node-a", "t-small", 4, Map.of());
        List<BerthEvent> events = Collections.synchronizedList(new ArrayList<>());
        h.berth.onEvent(events::add);
        Tenant t = h.tenant();
        var start = h.clock.instant();

        h.berth.jobs().checkNodes();
        h.awaitState(h.provision(t, "ghost").id(), InstanceState.ACTIVE);
        h.clock.advance(Duration.ofHours(1));
        h.berth.jobs().checkNodes(); // 256 MiB of 1 GiB: below 50 %
        assertThat(events).noneMatch(e -> e.type() == BerthEvent.Type.NODE_USAGE_HIGH);
        h.awaitState(h.provision(t, "ghost").id(), InstanceState.ACTIVE);
        h.clock.advance(Duration.ofHours(1));
        h.berth.jobs().checkNodes(); // 512 MiB: crosses 50 %
        assertThat(events).filteredOn(e -> e.type() == BerthEvent.Type.NODE_USAGE_HIGH).singleElement()
                .satisfies(e -> assertThat(e.detail()).isEqualTo("node node-a memory at 50% (threshold 50%)"));
        h.clock.advance(Duration.ofMinutes(30));
        h.berth.jobs().checkNodes(); // still above: no repeat
        assertThat(events).filteredOn(e -> e.type() == BerthEvent.Type.NODE_USAGE_HIGH).hasSize(1);

        var history = h.berth.nodes().usage("node-a", start);
        // the sample at "start" is older than the 2 h window now (2 h 30 min later) and was pruned
        assertThat(history).extracting(u -> u.used().memoryBytes())
                .containsExactly(256 * ResourceLimits.MIB, 512 * ResourceLimits.MIB, 512 * ResourceLimits.MIB);
        assertThat(history).allSatisfy(u -> assertThat(u.healthy()).isTrue());
        assertThat(history.get(2).instanceCount()).isEqualTo(2);
    }

    // ---- queue -----------------------------------------------------------------------------------------------

    @Test
    void queuedInstancesArePlacedOldestFirstWhenCapacityAppears() {
        var h = harness();
        h.node("node-a", "t-a", 1, Map.of());
        List<BerthEvent> events = Collections.synchronizedList(new ArrayList<>());
        h.berth.onEvent(events::add);
        Tenant t = h.tenant();
        Instance running = h.awaitState(h.provision(t, "ghost").id(), InstanceState.ACTIVE);
        List<Instance> queued = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            h.clock.advance(Duration.ofSeconds(1)); // distinct creation times: "oldest" is well defined
            queued.add(h.awaitState(h.provision(t, "ghost").id(), InstanceState.QUEUED));
        }
        assertThat(events).filteredOn(e -> e.type() == BerthEvent.Type.INSTANCE_QUEUED).extracting(BerthEvent::instanceId)
                .containsExactlyInAnyOrderElementsOf(queued.stream().map(Instance::id).toList());
        assertThat(queued).allSatisfy(q -> assertThat(q.stateReason()).contains("node-a: cpu"));

        // one slot frees up: the oldest takes it
        h.awaitDone(h.berth.instances().terminate(running.id()).id());
        h.awaitState(queued.get(0).id(), InstanceState.ACTIVE);
        // a node with room for one more arrives: the next oldest, not the youngest
        h.node("node-b", "t-b", 1, Map.of());
        h.awaitState(queued.get(1).id(), InstanceState.ACTIVE);
        assertThat(h.berth.instances().get(queued.get(2).id()).state()).isEqualTo(InstanceState.QUEUED);
    }

    @Test
    void placementsRacingForTheLastSlotsFromTwoProcessesNeverOverfillANode() throws Exception {
        var h = harness();
        var peer = h.peer("placement-peer", dev.berth.core.lifecycle.StepListener.NONE);
        harnesses.add(peer);
        h.node("node-a", "t-a", 2, Map.of());
        h.node("node-b", "t-b", 1, Map.of());
        Tenant t = h.tenant();
        int n = 10;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Instance>> futures = new ArrayList<>();
        try {
            for (int k = 0; k < n; k++) {
                var via = k % 2 == 0 ? h : peer;
                futures.add(pool.submit((Callable<Instance>) () -> {
                    go.await();
                    return via.provision(t, "ghost");
                }));
            }
            go.countDown();
            List<String> ids = new ArrayList<>();
            for (var f : futures) ids.add(f.get().id());
            EngineContract.await(() -> ids.stream().map(id -> h.berth.instances().get(id).state())
                    .allMatch(s -> s == InstanceState.ACTIVE || s == InstanceState.QUEUED));
            var states = ids.stream().map(id -> h.berth.instances().get(id)).toList();
            assertThat(states).filteredOn(i -> i.state() == InstanceState.ACTIVE).hasSize(3)
                    .extracting(Instance::nodeId).containsExactlyInAnyOrder("node-a", "node-a", "node-b");
            assertThat(states).filteredOn(i -> i.state() == InstanceState.QUEUED).hasSize(n - 3);
            assertThat(h.provider.resourcesCreated()).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNodeFilledBehindTheSnapshotsBackIsRefusedUnderItsLockAndTheNextBestTakesTheInstanceNeverOverfilling()
            throws Exception {
        var h = harness();
        var peer = h.peer("placement-peer", dev.berth.core.lifecycle.StepListener.NONE);
        harnesses.add(peer);
        h.node("node-a", "t-a", 3, Map.of());
        h.node("node-b", "t-b", 3, Map.of());
        h.node("node-c", "t-c", 3, Map.of());
        h.berth.plans().save(plan("packed", "bin-pack", false)); // every snapshot's best node is the fullest one
        Tenant t = h.tenant();
        // two instances wait for a label no node has yet; one is placed: bin-pack, ties by id, node-a
        List<String> late = List.of(provision(h, t, "packed", Map.of("pool", "late")).id(),
                provision(h, t, "packed", Map.of("pool", "late")).id());
        for (String id : late) h.awaitState(id, InstanceState.QUEUED);
        assertThat(h.awaitState(provision(h, t, "packed", Map.of()).id(), InstanceState.ACTIVE).nodeId()).isEqualTo("node-a");
        // both processes read the fleet now (their queue jobs try the queued two): node-a holds one of three
        h.berth.jobs().placeQueued();
        peer.berth.jobs().placeQueued();
        long conflictsBefore = conflicts(h, peer);

        // a third process labels node-a and places the two there: node-a is full, neither snapshot knows (the fake
        // clock does not move, so they do not expire either)
        var third = h.peer("placement-third", dev.berth.core.lifecycle.StepListener.NONE);
        harnesses.add(third);
        third.berth.nodes().update("node-a", NodeUpdate.none().withLabels(Map.of("pool", "late")));
        for (String id : late) assertThat(h.awaitState(id, InstanceState.ACTIVE).nodeId()).isEqualTo("node-a");
        third.close();

        // whichever process places the next one picks node-a from its snapshot, finds it full under its lock and
        // takes the next best, node-b
        Instance retried = h.awaitState(provision(h, t, "packed", Map.of()).id(), InstanceState.ACTIVE);
        assertThat(retried.nodeId()).isEqualTo("node-b");
        assertThat(conflicts(h, peer)).isEqualTo(conflictsBefore + 1);

        // then both processes race for the last 5 slots (2 on node-b, 3 on node-c) with 10 placements
        int n = 10;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Instance>> futures = new ArrayList<>();
        try {
            for (int k = 0; k < n; k++) {
                var via = k % 2 == 0 ? h : peer;
                futures.add(pool.submit((Callable<Instance>) () -> {
                    go.await();
                    return provision(via, t, "packed", Map.of());
                }));
            }
            go.countDown();
            List<String> ids = new ArrayList<>();
            for (var f : futures) ids.add(f.get().id());
            EngineContract.await(() -> ids.stream().map(id -> h.berth.instances().get(id).state())
                    .allMatch(s -> s == InstanceState.ACTIVE || s == InstanceState.QUEUED));
            var raced = ids.stream().map(id -> h.berth.instances().get(id)).toList();
            assertThat(raced).filteredOn(i -> i.state() == InstanceState.ACTIVE).hasSize(5)
                    .extracting(Instance::nodeId).containsExactlyInAnyOrder("node-b", "node-b", "node-c", "node-c", "node-c");
            assertThat(raced).filteredOn(i -> i.state() == InstanceState.QUEUED).hasSize(n - 5);
            for (String node : List.of("node-a", "node-b", "node-c")) {
                assertThat(h.berth.capacity().usage(node).instanceCount()).as(node).isEqualTo(3);
            }
            assertThat(h.provider.resourcesCreated()).isEqualTo(9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long conflicts(EngineHarness... processes) {
        long sum = 0;
        for (EngineHarness p : processes) sum += p.berth.capacity().placementStats().conflicts();
        return sum;
    }

    // ---- migration plan and evacuation ------------------------------------------------------------------------

    @Test
    void migrationPlanAccountsForItsOwnMovesAndEvacuationIsAllOrNothing() {
        var h = harness();
        h.node("node-a", "t-a", 3, Map.of());
        Tenant t = h.tenant();
        List<String> onA = new ArrayList<>();
        for (int k = 0; k < 3; k++) onA.add(h.awaitState(h.provision(t, "ghost").id(), InstanceState.ACTIVE).id());
        h.node("node-b", "t-b", 1, Map.of());
        h.node("node-c", "t-c", 1, Map.of());
        h.berth.nodes().drain("node-a");

        MigrationPlanner.Plan plan = h.berth.capacity().migrationPlan("node-a");
        // each of b and c has one slot: two instances move, one per node, the third has nowhere to go
        assertThat(plan.moves()).extracting(MigrationPlanner.Move::targetNodeId).containsExactlyInAnyOrder("node-b", "node-c");
        assertThat(plan.unplaceable()).hasSize(1);
        assertThat(plan.unplaceable().values().iterator().next()).contains("node-b: cpu").contains("node-c: cpu")
                .doesNotContain("node-a");
        assertThat(onA).containsAll(plan.unplaceable().keySet());

        assertThatThrownBy(() -> h.berth.capacity().evacuate("node-a")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("cannot be evacuated");
        assertThat(onA).allSatisfy(id -> assertThat(h.berth.instances().get(id).activeOperationId()).isNull());

        h.node("node-b", "t-b", 2, Map.of()); // room for the third
        MigrationPlanner.Plan started = h.berth.capacity().evacuate("node-a");
        assertThat(started.complete()).isTrue();
        EngineContract.await(() -> onA.stream().map(id -> h.berth.instances().get(id))
                .allMatch(i -> i.activeOperationId() == null && !"node-a".equals(i.nodeId())));
        assertThat(onA).extracting(id -> h.berth.instances().get(id).nodeId())
                .containsExactlyInAnyOrder("node-b", "node-b", "node-c");
        assertThat(onA).allSatisfy(id -> assertThat(h.berth.instances().get(id).state()).isEqualTo(InstanceState.ACTIVE));
        h.berth.nodes().deregister("node-a");
        assertThat(h.berth.nodes().find("node-a")).isEmpty();
    }

    @Test
    void aSingleMigrationIsCheckedAgainstItsTargetAndReservesItsRoom() {
        var h = harness();
        h.node("node-a", "t-a", 2, Map.of());
        h.node("node-b", "t-b", 1, Map.of());
        Tenant t = h.tenant();
        Instance a = h.awaitState(provision(h, t, "small", Map.of()).id(), InstanceState.ACTIVE);
        Instance b = h.awaitState(provision(h, t, "small", Map.of()).id(), InstanceState.ACTIVE);
        assertThat(List.of(a.nodeId(), b.nodeId())).containsExactlyInAnyOrder("node-a", "node-b");
        Instance onA = a.nodeId().equals("node-a") ? a : b;
        Instance onB = onA == a ? b : a;
        assertThatThrownBy(() -> h.berth.instances().migrate(onA.id(), "node-b"))
                .isInstanceOf(dev.berth.spi.error.InsufficientCapacityException.class).hasMessageContaining("cpu");
        assertThatThrownBy(() -> h.berth.instances().migrate(onA.id(), "node-z"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("targetNodeId"));
        assertThatThrownBy(() -> h.berth.instances().migrate(onA.id(), "node-a"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("targetNodeId"));
        // b's instance moves to a: while it moves, a's last slot is reserved for it
        h.provider.delay(InMemoryProvider.Verb.MIGRATE, Duration.ofMillis(800));
        var op = h.berth.instances().migrate(onB.id(), "node-a");
        var during = h.berth.capacity().check("small", t.id());
        assertThat(during.placeableNow()).isFalse();
        assertThat(during.rejections()).containsKeys("node-a", "node-b");
        assertThat(h.awaitDone(op.id()).status()).isEqualTo(dev.berth.core.operation.OperationStatus.SUCCEEDED);
        assertThat(h.berth.instances().get(onB.id()).nodeId()).isEqualTo("node-a");
        assertThat(h.berth.capacity().check("small", t.id()).node()).isEqualTo("node-b");
    }

    // ---- capacity check = placement ---------------------------------------------------------------------------

    @Test
    void capacityCheckAnswersMatchRealPlacementsForEveryStrategy() {
        for (String strategy : dev.berth.core.placement.PlacementStrategies.names()) {
            var h = harness();
            h.node("node-a", "t-a", 2, Map.of());
            h.node("node-b", "t-b", 1, Map.of());
            h.berth.plans().save(plan("p", strategy, false));
            Tenant t = h.tenant();
            var answer = h.berth.capacity().check("p", t.id());
            assertThat(answer.moreThatFit()).as(strategy).isEqualTo(3);
            for (int k = 0; k < 3; k++) {
                var check = h.berth.capacity().check("p", t.id());
                assertThat(check.moreThatFit()).as(strategy).isEqualTo(3 - k);
                Instance placed = h.awaitState(provision(h, t, "p", Map.of()).id(), InstanceState.ACTIVE);
                assertThat(placed.nodeId()).as(strategy + " placement " + k).isEqualTo(check.node());
            }
            var full = h.berth.capacity().check("p", t.id());
            assertThat(full.placeableNow()).isFalse();
            Instance queued = h.awaitState(provision(h, t, "p", Map.of()).id(), InstanceState.QUEUED);
            full.rejections().forEach((node, why) -> assertThat(queued.stateReason()).contains(node + ": " + why));
            // one harness at a time: on PostgreSQL the next one resets the same schema
            harnesses.remove(h);
            h.close();
        }
    }
}
