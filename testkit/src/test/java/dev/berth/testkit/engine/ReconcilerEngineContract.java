package dev.berth.testkit.engine;

import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.lifecycle.LostInstancePolicy;
import dev.berth.core.lifecycle.Reconciler;
import dev.berth.core.node.Capacity;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.operation.OperationType;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.notify.Notification;
import dev.berth.spi.wait.Poll;
import dev.berth.testkit.memory.InMemoryProvider;
import dev.berth.testkit.memory.InMemoryProvider.Verb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reconciler through the engine: its repairs are REPAIR operations that hold the instance like any command,
 * lost instances follow the operator's policy, and one unreachable target does not stop the others. Run on H2
 * ({@code ReconcilerEngineH2Test}) and PostgreSQL ({@code ReconcilerEnginePostgresIT}).
 */
abstract class ReconcilerEngineContract {

    /** A fresh, empty database for one test. */
    protected abstract DatabaseSettings freshDatabase();

    private static final Map<String, Capacity> TWO_TARGETS =
            Map.of("mem-1", InMemoryProvider.DEFAULT_CAPACITY, "mem-2", InMemoryProvider.DEFAULT_CAPACITY);

    private EngineHarness h;

    private EngineHarness start(LostInstancePolicy onLost) {
        h = EngineHarness.create(freshDatabase(), onLost, TWO_TARGETS).withPlans();
        h.node("node-a", "mem-1", 20, Map.of());
        h.node("node-b", "mem-2", 20, Map.of());
        return h;
    }

    @AfterEach
    void stop() {
        if (h != null) h.close();
    }

    @Test
    void aRepairAndASuspensionNeverCallTheRuntimeTwiceAtOnceAndTheSuspensionStays() throws Exception {
        start(LostInstancePolicy.REPORT);
        Instance i = h.awaitState(h.provision(h.tenant(), "ghost").id(), InstanceState.ACTIVE);
        AtomicInteger overlaps = countOverlappingCalls();

        // the reconciler reads its snapshot (ACTIVE), then, while it lists the runtime, the instance is suspended:
        // the drift it sees (stopped while ACTIVE) is stale, and starting the instance would undo the suspension
        h.provider.suspend(i.id());
        AtomicBoolean once = new AtomicBoolean();
        h.provider.onCall(Verb.INVENTORY, target -> {
            if (once.compareAndSet(false, true)) {
                h.awaitDone(h.berth.instances().suspend(i.id(), SuspensionReason.ADMIN).id());
            }
        });
        List<Reconciler.Drift> drifts = h.berth.reconciler().reconcile();
        drifts.stream().filter(d -> i.id().equals(d.instanceId()) && d.repaired()).forEach(d -> h.awaitDone(d.repairOperation()));
        awaitIdle(i.id());
        assertThat(h.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.SUSPENDED);
        assertThat(h.provider.status(i.id()).state()).isEqualTo(RuntimeState.STOPPED);
        assertThat(h.provider.calls(Verb.RESUME)).as("nothing started the suspended instance").isZero();

        // and racing for real, several times: the one holding the instance goes first, the other waits its turn
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 4; round++) {
                h.awaitDone(h.berth.instances().resume(i.id()).id());
                h.provider.suspend(i.id()); // stopped behind Berth's back while ACTIVE
                Future<List<Reconciler.Drift>> pass = pool.submit(() -> h.berth.reconciler().reconcile());
                Operation suspension = suspendWhenIdle(i.id());
                pass.get(20, TimeUnit.SECONDS);
                h.awaitDone(suspension.id());
                awaitIdle(i.id());
                assertThat(h.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.SUSPENDED);
                assertThat(h.provider.status(i.id()).state()).as("round " + round).isEqualTo(RuntimeState.STOPPED);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(h.berth.operations().forInstance(i.id())).anyMatch(o -> o.type() == OperationType.REPAIR);
        assertThat(overlaps.get()).as("calls for one instance that overlapped").isZero();
    }

    @Test
    void aLostInstanceIsReportedNotProvisionedAgainEmpty() {
        start(LostInstancePolicy.REPORT);
        List<BerthEvent> events = new CopyOnWriteArrayList<>();
        h.berth.onEvent(events::add);
        Instance i = h.awaitState(h.provision(h.tenant(), "ghost").id(), InstanceState.ACTIVE);
        h.provider.writeData(i.id(), "marker", "before-backup");
        h.awaitDone(h.berth.instances().backup(i.id()).id());
        h.provider.terminate(i.id()); // the runtime lost it, data and all

        Reconciler.Drift lost = only(h.berth.reconciler().reconcile(), i.id());
        assertThat(lost.kind()).isEqualTo(Reconciler.Drift.Kind.MISSING);
        assertThat(h.awaitDone(lost.repairOperation()).status()).isEqualTo(OperationStatus.SUCCEEDED);

        assertThat(h.provider.contains(i.id())).as("not re-created empty").isFalse();
        assertThat(h.provider.createCount(i.id())).isEqualTo(1);
        Instance after = h.berth.instances().get(i.id());
        assertThat(after.state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(after.stateReason()).startsWith("lost by its runtime").contains("REPORT");
        await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(e ->
                e.type() == BerthEvent.Type.DRIFT_DETECTED && i.id().equals(e.instanceId())));
        await().atMost(Duration.ofSeconds(10)).until(() -> h.notifier.sent(Notification.Type.OPERATION_FAILED).stream()
                .anyMatch(n -> n.instanceId().equals(i.id()) && n.recipient().equals(EngineHarness.OPERATOR)));

        // the next pass sees it still lost but does not report it again
        Reconciler.Drift again = only(h.berth.reconciler().reconcile(), i.id());
        assertThat(again.kind()).isEqualTo(Reconciler.Drift.Kind.MISSING);
        assertThat(again.repaired()).isFalse();
        assertThat(h.berth.operations().forInstance(i.id()).stream().filter(o -> o.type() == OperationType.REPAIR)).hasSize(1);
    }

    @Test
    void aLostInstanceIsRestoredFromItsNewestBackupWhenThePolicySaysSo() {
        start(LostInstancePolicy.RESTORE_FROM_BACKUP);
        Instance i = h.awaitState(h.provision(h.tenant(), "ghost").id(), InstanceState.ACTIVE);
        Instance noBackup = h.awaitState(h.provision(h.tenant(), "ghost").id(), InstanceState.ACTIVE);
        h.provider.writeData(i.id(), "marker", "older");
        h.awaitDone(h.berth.instances().backup(i.id()).id());
        h.clock.advance(Duration.ofMinutes(1));
        h.provider.writeData(i.id(), "marker", "before-backup");
        h.awaitDone(h.berth.instances().backup(i.id()).id());
        h.provider.writeData(i.id(), "marker", "after-backup");
        h.provider.terminate(i.id());
        h.provider.terminate(noBackup.id());

        List<Reconciler.Drift> drifts = h.berth.reconciler().reconcile();

        Operation repair = h.awaitDone(only(drifts, i.id()).repairOperation());
        assertThat(repair.status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(repair.completedSteps()).containsExactly("RUNTIME", "RESTORE", "READY", "FINALIZE");
        assertThat(h.provider.status(i.id()).state()).isEqualTo(RuntimeState.RUNNING);
        assertThat(h.provider.readData(i.id(), "marker")).as("the newest backup's data is back").contains("before-backup");
        assertThat(h.berth.instances().get(i.id()).stateReason()).isNull();
        // without a backup there is nothing to restore: reported only
        h.awaitDone(only(drifts, noBackup.id()).repairOperation());
        assertThat(h.provider.contains(noBackup.id())).isFalse();
        assertThat(h.berth.instances().get(noBackup.id()).stateReason()).startsWith("lost by its runtime").contains("no backup");

        assertThat(h.berth.reconciler().reconcile()).as("second pass").noneMatch(d -> i.id().equals(d.instanceId()));
    }

    @Test
    void oneUnreachableTargetDoesNotStopRepairsOnTheOther() {
        start(LostInstancePolicy.REPORT);
        Instance a = h.awaitState(h.provision(h.tenant(), "ghost").id(), InstanceState.ACTIVE);
        Instance b = h.awaitState(h.provision(h.tenant(), "ghost").id(), InstanceState.ACTIVE);
        assertThat(a.nodeId()).isNotEqualTo(b.nodeId()); // least-instances spreads them over both targets
        Instance down = a.nodeId().equals("node-a") ? a : b;
        Instance up = down == a ? b : a;
        int inventories = h.provider.calls(Verb.INVENTORY);
        int statuses = h.provider.calls(Verb.STATUS);
        assertThat(h.berth.reconciler().reconcile()).as("nothing drifted yet").isEmpty();
        assertThat(h.provider.calls(Verb.INVENTORY) - inventories).as("one inventory call per target").isEqualTo(2);
        assertThat(h.provider.calls(Verb.STATUS) - statuses).as("no status call per instance").isZero();

        h.provider.suspend(down.id());
        h.provider.suspend(up.id());
        h.provider.onCall(Verb.INVENTORY, target -> {
            if ("mem-1".equals(target)) throw new UnavailableException("mem-1 does not answer");
        });

        List<Reconciler.Drift> drifts = h.berth.reconciler().reconcile();

        assertThat(drifts).anySatisfy(d -> {
            assertThat(d.kind()).isEqualTo(Reconciler.Drift.Kind.UNREACHABLE);
            assertThat(d.detail()).contains("mem-1").contains("does not answer");
        });
        assertThat(drifts).noneMatch(d -> down.id().equals(d.instanceId()));
        h.awaitDone(only(drifts, up.id()).repairOperation());
        assertThat(h.provider.status(up.id()).state()).isEqualTo(RuntimeState.RUNNING);
        assertThat(h.provider.status(down.id()).state()).as("not looked at while its target is down").isEqualTo(RuntimeState.STOPPED);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /**
     * Counts calls to the runtime for one instance that overlap: every call of every per-instance verb marks the
     * instance busy for a while (the hook is part of the call), and a second call arriving meanwhile is an overlap.
     */
    private AtomicInteger countOverlappingCalls() {
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        for (Verb verb : List.of(Verb.PROVISION, Verb.SUSPEND, Verb.RESUME, Verb.CHANGE_PLAN, Verb.UPGRADE, Verb.STATUS,
                Verb.TERMINATE, Verb.BACKUP, Verb.RESTORE)) {
            h.provider.onCall(verb, id -> {
                AtomicInteger n = inFlight.computeIfAbsent(id, k -> new AtomicInteger());
                if (n.incrementAndGet() > 1) overlaps.incrementAndGet();
                try {
                    Poll.pause(Duration.ofMillis(15), "a runtime call in flight");
                } finally {
                    n.decrementAndGet();
                }
            });
        }
        return overlaps;
    }

    /** Suspends the instance as soon as no other operation holds it (a command meeting a repair waits its turn). */
    private Operation suspendWhenIdle(String instanceId) {
        Operation[] accepted = new Operation[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
            try {
                accepted[0] = h.berth.instances().suspend(instanceId, SuspensionReason.ADMIN);
                return true;
            } catch (ConflictException busy) {
                return false;
            }
        });
        return accepted[0];
    }

    private void awaitIdle(String instanceId) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() ->
                h.berth.instances().get(instanceId).activeOperationId() == null);
    }

    private static Reconciler.Drift only(List<Reconciler.Drift> drifts, String instanceId) {
        List<Reconciler.Drift> of = drifts.stream().filter(d -> instanceId.equals(d.instanceId())).toList();
        assertThat(of).as("drifts of " + instanceId + " in " + drifts).hasSize(1);
        return of.get(0);
    }
}
