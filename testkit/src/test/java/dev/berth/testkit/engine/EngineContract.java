package dev.berth.testkit.engine;

import dev.berth.core.billing.BillingEvent;
import dev.berth.core.billing.Entitlement;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.lifecycle.Reconciler;
import dev.berth.core.lifecycle.StepListener;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.operation.OperationType;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.core.tenant.Tenant;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.IllegalTransitionException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.LimitExceededException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.notify.Notification;
import dev.berth.testkit.memory.InMemoryProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lifecycle engine's behaviour over the in-memory runtime, run once on H2 ({@code EngineH2Test}) and once on
 * PostgreSQL ({@code EnginePostgresIT}).
 */
abstract class EngineContract {

    /** A fresh, empty database for one test. */
    protected abstract DatabaseSettings freshDatabase();

    EngineHarness h;
    final List<EngineHarness> extra = new ArrayList<>();

    @BeforeEach
    void start() {
        h = EngineHarness.create(freshDatabase()).withNodeAndPlans(20);
    }

    @AfterEach
    void stop() {
        extra.forEach(EngineHarness::close);
        h.close();
    }

    @Test
    void provisionRunsEveryStepAndHandsOverCredentials() {
        Tenant t = h.tenant();
        Instance i = h.provision(t, "n8n");
        assertThat(i.state()).isIn(InstanceState.PENDING, InstanceState.PROVISIONING, InstanceState.ACTIVE);

        Instance active = h.awaitState(i.id(), InstanceState.ACTIVE);
        assertThat(active.nodeId()).isEqualTo("node-1");
        assertThat(active.hostname()).endsWith(".apps.test");
        // limits read back from the runtime equal the plan's
        assertThat(h.provider.status(i.id()).appliedLimits()).isEqualTo(EngineHarness.small().resources());
        assertThat(h.dns.target(active.hostname())).contains("203.0.113.10");
        // n8n's encryption key was generated, stored encrypted, and given to the runtime as a secret env value
        Map<String, SecretValue> creds = h.berth.instances().credentials(i.id());
        assertThat(creds).containsKey("N8N_ENCRYPTION_KEY");
        var app = h.provider.lastRequest(i.id()).orElseThrow().components().get(0);
        assertThat(app.secretEnv().get("N8N_ENCRYPTION_KEY")).isEqualTo(creds.get("N8N_ENCRYPTION_KEY"));
        assertThat(app.env().get("N8N_HOST")).isEqualTo(active.hostname());
        // the customer got the URL and the credentials
        await(() -> !h.notifier.sent(Notification.Type.INSTANCE_READY).isEmpty());
        Notification ready = h.notifier.sent(Notification.Type.INSTANCE_READY).get(0);
        assertThat(ready.recipient()).isEqualTo(t.email());
        assertThat(ready.values()).containsEntry("url", active.url());
        // the owner's first password is the one credential handed over, with the login it belongs to; n8n's
        // encryption key and the password's hash are app secrets and never sent to anyone
        assertThat(ready.credentials()).containsOnlyKeys("OWNER_PASSWORD");
        assertThat(ready.values()).containsEntry("login", t.email()).containsEntry("loginUrl", active.url() + "/signin");
        Operation op = h.berth.operations().forInstance(i.id()).get(0);
        assertThat(op.status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(op.completedSteps()).containsExactly("PLACE", "SECRETS", "DNS", "RUNTIME", "READY", "ACTIVATE");
    }

    @Test
    void secretsAreGeneratedOnceAndNeverChange() {
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        SecretValue key = h.berth.instances().credentials(i.id()).get("N8N_ENCRYPTION_KEY");
        h.awaitDone(h.berth.instances().suspend(i.id(), SuspensionReason.ADMIN).id());
        h.awaitDone(h.berth.instances().resume(i.id()).id());
        h.awaitDone(h.berth.instances().changePlan(i.id(), "large").id());
        assertThat(h.berth.instances().credentials(i.id()).get("N8N_ENCRYPTION_KEY")).isEqualTo(key);
    }

    @Test
    void suspendResumeChangePlanBackupRestoreAndTerminate() {
        Instance i = h.awaitState(h.provision(h.tenant(), "wordpress").id(), InstanceState.ACTIVE);
        h.provider.writeData(i.id(), "marker", "before");

        Operation suspend = h.awaitDone(h.berth.instances().suspend(i.id(), SuspensionReason.ADMIN).id());
        assertThat(suspend.status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(h.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.SUSPENDED);
        assertThat(h.provider.status(i.id()).state()).isEqualTo(RuntimeState.STOPPED);

        h.awaitDone(h.berth.instances().resume(i.id()).id());
        assertThat(h.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(h.provider.readData(i.id(), "marker")).contains("before");

        h.awaitDone(h.berth.instances().changePlan(i.id(), "large").id());
        assertThat(h.berth.instances().get(i.id()).planId()).isEqualTo("large");
        assertThat(h.provider.status(i.id()).appliedLimits()).isEqualTo(EngineHarness.large().resources());

        Operation backup = h.awaitDone(h.berth.instances().backup(i.id()).id());
        assertThat(backup.status()).isEqualTo(OperationStatus.SUCCEEDED);
        String backupId = h.berth.instances().backups(i.id()).get(0).backupId();
        h.provider.writeData(i.id(), "marker", "after");
        assertThat(h.awaitDone(h.berth.instances().restore(i.id(), backupId).id()).status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(h.provider.readData(i.id(), "marker")).contains("before");

        int backupsBefore = h.backups.list(i.id()).size();
        Operation terminate = h.awaitDone(h.berth.instances().terminate(i.id()).id());
        assertThat(terminate.status()).isEqualTo(OperationStatus.SUCCEEDED);
        Instance gone = h.berth.instances().get(i.id());
        assertThat(gone.state()).isEqualTo(InstanceState.TERMINATED);
        assertThat(h.provider.contains(i.id())).isFalse();
        assertThat(h.dns.target(gone.hostname())).isEmpty();
        // terminate took a final backup and kept it
        assertThat(h.backups.list(i.id())).hasSize(backupsBefore + 1);
    }

    @Test
    void hundredConcurrentDuplicateProvisionsYieldOneInstance() throws Exception {
        Tenant t = h.tenant();
        var cmd = new ProvisionCommand(t.id(), "ghost", "small", "order-4711", null);
        ExecutorService pool = Executors.newFixedThreadPool(100);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Instance>> results = new ArrayList<>();
        try {
            for (int k = 0; k < 100; k++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return h.berth.instances().provision(cmd);
                }));
            }
            go.countDown();
            Set<String> ids = ConcurrentHashMap.newKeySet();
            for (Future<Instance> f : results) ids.add(f.get(60, TimeUnit.SECONDS).id());
            assertThat(ids).hasSize(1);
            String id = ids.iterator().next();
            h.awaitState(id, InstanceState.ACTIVE);
            assertThat(h.berth.instances().list(t.id())).hasSize(1);
            assertThat(h.berth.operations().forInstance(id)).filteredOn(o -> o.type() != OperationType.NOTIFY).hasSize(1);
            assertThat(h.provider.createCount(id)).isEqualTo(1);
            assertThat(h.provider.resourcesCreated()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anOperationInterruptedBetweenStepsResumesAfterRestartWithoutDuplicates() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // process A "dies" just before the READY step: the runtime resource exists, the operation is half done
        Instance i = provisionOnAProcessThatDiesBefore("READY", release);
        h.crash();
        assertThat(h.provider.createCount(i.id())).isEqualTo(1);

        // process B starts on the same database; db-scheduler sees A's heartbeats stop and hands the operation over
        EngineHarness b = h.peer("worker-b", (op, step) -> { });
        extra.add(b);
        b.awaitState(i.id(), InstanceState.ACTIVE);
        release.countDown();

        Operation op = b.berth.operations().forInstance(i.id()).get(0);
        assertThat(op.status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(op.attempts()).isGreaterThanOrEqualTo(2);
        assertThat(h.provider.createCount(i.id())).isEqualTo(1);
        assertThat(h.provider.resourcesCreated()).isEqualTo(1);
        assertThat(h.dns.records()).hasSize(1);
    }

    @Test
    void aProcessDyingBeforeActivationRepeatsOnlyTheUnrecordedStepAndActivatesOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // process A dies just before ACTIVATE: RUNTIME's completion was written with READY's start, READY's own
        // completion only travels with ACTIVATE's transaction, so it is lost with the process
        Instance i = provisionOnAProcessThatDiesBefore("ACTIVATE", release);
        Operation atCrash = h.berth.operations().forInstance(i.id()).get(0);
        assertThat(atCrash.step()).isEqualTo("READY");
        assertThat(atCrash.completedSteps()).containsExactly("PLACE", "SECRETS", "DNS", "RUNTIME");
        // A's READY needed no status call: the provision call it had just made observed the instance running
        assertThat(h.provider.calls(InMemoryProvider.Verb.STATUS)).isZero();
        h.crash();

        EngineHarness b = h.peer("worker-b", (op, step) -> { });
        extra.add(b);
        b.awaitState(i.id(), InstanceState.ACTIVE);
        release.countDown();

        Operation op = b.berth.operations().forInstance(i.id()).get(0);
        assertThat(op.status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(op.completedSteps()).containsExactly("PLACE", "SECRETS", "DNS", "RUNTIME", "READY", "ACTIVATE");
        // B repeated READY (the unrecorded step) and, not having made the runtime call itself, asked the runtime
        assertThat(h.provider.calls(InMemoryProvider.Verb.STATUS)).isPositive();
        // and nothing recorded as done ran again
        assertThat(h.provider.calls(InMemoryProvider.Verb.PROVISION)).isEqualTo(1);
        assertThat(h.provider.createCount(i.id())).isEqualTo(1);
        assertThat(h.dns.records()).hasSize(1);
        // the activation and its message happened once
        await(() -> h.notifier.sent(Notification.Type.INSTANCE_READY).size() == 1);
        assertThat(b.berth.operations().forInstance(i.id())).filteredOn(o -> o.type() == OperationType.NOTIFY).hasSize(1);
        assertThat(h.notifier.sent(Notification.Type.INSTANCE_READY)).hasSize(1);
    }

    /**
     * Replaces the harness with process A on a fresh database, provisions n8n there and returns once A's worker
     * has reached {@code step}; the worker then hangs until {@code release} and fails, as a dead process would.
     */
    private Instance provisionOnAProcessThatDiesBefore(String step, CountDownLatch release) throws InterruptedException {
        h.close();
        CountDownLatch reached = new CountDownLatch(1);
        h = EngineHarness.create(freshDatabase(), (op, s) -> {
            if (s.equals(step) && reached.getCount() > 0) {
                reached.countDown();
                awaitQuietly(release);
                throw new IllegalStateException("process A is dead");
            }
        }).withNodeAndPlans(20);
        Instance i = h.provision(h.tenant(), "n8n");
        assertThat(reached.await(20, TimeUnit.SECONDS)).as("process A reached " + step).isTrue();
        return i;
    }

    @Test
    void aRuntimeThatReportsStartingAfterTheProvisionIsAskedUntilItRuns() {
        h.close();
        h = EngineHarness.create(freshDatabase(), InMemoryProvider.builder().startingChecks(3)).withNodeAndPlans(20);
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        // the provision call observed STARTING, so READY did not take it as running: it asked until RUNNING
        assertThat(h.provider.calls(InMemoryProvider.Verb.STATUS)).isEqualTo(4);
        assertThat(h.berth.operations().forInstance(i.id()).get(0).completedSteps())
                .containsExactly("PLACE", "SECRETS", "DNS", "RUNTIME", "READY", "ACTIVATE");
    }

    // ---- waits that hold no worker ----------------------------------------------------------------------

    /** A harness whose instances become ready {@code readyAfter} (on the fake clock) after they are created. */
    private EngineHarness lateReadiness(EngineSettings settings, Duration readyAfter) {
        return EngineHarness.create(freshDatabase(), settings, InMemoryProvider.builder().readyAfter(readyAfter),
                StepListener.NONE).withNodeAndPlans(20);
    }

    /** Waits until the instance's provision waits at READY: created on the runtime, not running yet. */
    private static Operation awaitWaitingForReadiness(EngineHarness on, String instanceId) {
        await(() -> "READY".equals(on.berth.operations().forInstance(instanceId).get(0).step()));
        return on.berth.operations().forInstance(instanceId).get(0);
    }

    @Test
    void anInstanceWaitingForReadinessHoldsNoWorker() {
        h.close();
        // one worker, and a readiness timeout far longer than the test: a wait that held the worker would keep it
        h = lateReadiness(EngineHarness.settings("worker-a").withWorkers(1, Duration.ofMillis(200), 4, Duration.ofSeconds(30)),
                Duration.ofSeconds(3));
        Instance other = h.provision(h.tenant(), "ghost");
        awaitWaitingForReadiness(h, other.id());
        h.clock.advance(Duration.ofSeconds(4));
        h.awaitState(other.id(), InstanceState.ACTIVE);

        Instance slow = h.provision(h.tenant(), "ghost");
        awaitWaitingForReadiness(h, slow.id());
        // the only worker is free while slow's runtime starts: another tenant's suspension goes through meanwhile
        Operation suspend = h.awaitDone(h.berth.instances().suspend(other.id(), SuspensionReason.ADMIN).id());
        assertThat(suspend.status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(h.provider.status(slow.id()).state()).isEqualTo(RuntimeState.STARTING);
        assertThat(h.berth.instances().get(slow.id()).state()).isIn(InstanceState.PENDING, InstanceState.PROVISIONING);

        h.clock.advance(Duration.ofSeconds(4));
        h.awaitState(slow.id(), InstanceState.ACTIVE);
        Operation op = h.berth.operations().forInstance(slow.id()).get(0);
        assertThat(op.completedSteps()).containsExactly("PLACE", "SECRETS", "DNS", "RUNTIME", "READY", "ACTIVATE");
        // looking again is neither an attempt nor an error
        assertThat(op.attempts()).isEqualTo(1);
        assertThat(op.lastError()).isNull();
        assertThat(h.provider.calls(InMemoryProvider.Verb.STATUS)).isGreaterThan(2);
    }

    @Test
    void aProcessDyingWhileWaitingForReadinessIsResumedWithTheOriginalDeadline() {
        h.close();
        h = lateReadiness(EngineHarness.settings("worker-a"), Duration.ofMinutes(1)); // readiness timeout: 5 s
        Instance i = h.provision(h.tenant(), "n8n");
        awaitWaitingForReadiness(h, i.id());
        h.clock.advance(Duration.ofSeconds(3)); // A has waited 3 of its 5 s
        h.crash();

        EngineHarness b = h.peer("worker-b", StepListener.NONE);
        extra.add(b);
        int looksBefore = h.provider.calls(InMemoryProvider.Verb.STATUS);
        await(() -> h.provider.calls(InMemoryProvider.Verb.STATUS) > looksBefore + 1); // B has resumed the wait
        assertThat(b.berth.instances().get(i.id()).state()).isNotEqualTo(InstanceState.FAILED);
        // 3 s more: 6 s since READY first started, only 3 s since B took over. A fresh 5 s would not have run out
        h.clock.advance(Duration.ofSeconds(3));
        Instance failed = b.awaitState(i.id(), InstanceState.FAILED);
        assertThat(failed.stateReason()).contains("READY").contains("not running after PT5S").contains("STARTING");
        assertThat(h.provider.contains(i.id())).isFalse();
        assertThat(h.provider.createCount(i.id())).isEqualTo(1);
    }

    @Test
    void readinessThatTimesOutFailsTheProvisionAndCompensates() {
        h.close();
        h = lateReadiness(EngineHarness.settings("worker-a"), Duration.ofMinutes(1)); // readiness timeout: 5 s
        Instance i = h.provision(h.tenant(), "n8n");
        awaitWaitingForReadiness(h, i.id());
        h.clock.advance(Duration.ofSeconds(4));
        int looks = h.provider.calls(InMemoryProvider.Verb.STATUS);
        await(() -> h.provider.calls(InMemoryProvider.Verb.STATUS) > looks); // still waiting within the deadline
        assertThat(h.berth.instances().get(i.id()).state()).isNotEqualTo(InstanceState.FAILED);
        h.clock.advance(Duration.ofSeconds(2));

        Instance failed = h.awaitState(i.id(), InstanceState.FAILED);
        assertThat(failed.stateReason()).contains("READY").contains("not running after PT5S (last observed STARTING)");
        assertThat(failed.nodeId()).isNull();
        assertThat(h.provider.contains(i.id())).isFalse();
        assertThat(h.dns.records()).doesNotContainKey(failed.hostname());
        Operation op = h.berth.operations().forInstance(i.id()).get(0);
        assertThat(op.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(op.attempts()).isEqualTo(1); // the looks before the deadline were not attempts
        assertThat(op.lastError()).contains("not running after PT5S");
    }

    // ---- recovery after a restart ------------------------------------------------------------------------

    @Test
    void aRestartedProcessTakesBackItsOwnOperationsAtOnceWhileOthersWaitForTheHeartbeatWindow() throws Exception {
        h.close();
        // heartbeats every 15 s, 4 missed: a 60 s window, so whatever resumes within seconds was taken back by the
        // restart, not handed over by the window
        EngineSettings slow = EngineHarness.settings("worker-a").withWorkers(4, Duration.ofSeconds(15), 4, Duration.ofSeconds(5));
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger hung = new AtomicInteger();
        h = EngineHarness.create(freshDatabase(), slow, InMemoryProvider.builder(), (op, step) -> {
            if (step.equals("READY")) { // after the runtime created the instance
                hung.incrementAndGet();
                awaitQuietly(release);
                throw new IllegalStateException("process A is dead");
            }
        }).withNodeAndPlans(20);
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < 6; k++) ids.add(h.provision(h.tenant(), "ghost").id());
        await(() -> hung.get() == 4); // all four workers die mid-provision; two provisions were never picked
        h.crash();
        try {
            // another process takes the two unpicked provisions but leaves A's four alone: they wait for the window
            EngineHarness peer = h.peer(slow.withSchedulerName("worker-b"), StepListener.NONE);
            extra.add(peer);
            await(() -> ids.stream().filter(id -> peer.berth.instances().get(id).state() == InstanceState.ACTIVE).count() == 2);
            assertThat(ids).filteredOn(id -> peer.berth.instances().get(id).state() != InstanceState.ACTIVE).hasSize(4);

            Instant restart = Instant.now();
            EngineHarness restarted = h.peer(slow, StepListener.NONE);
            extra.add(restarted);
            for (String id : ids) restarted.awaitState(id, InstanceState.ACTIVE);
            Duration resumedIn = Duration.between(restart, Instant.now());
            assertThat(resumedIn).as("resumed by the restart, not after the 60 s window").isLessThan(Duration.ofSeconds(15));
        } finally {
            release.countDown();
        }
        for (String id : ids) assertThat(h.provider.createCount(id)).isEqualTo(1);
        assertThat(h.provider.resourcesCreated()).isEqualTo(6);
    }

    // ---- per-tenant limits ---------------------------------------------------------------------------------

    @Test
    void oneTenantsOperationsTakeNoMoreThanTheirShareOfTheWorkers() {
        h.close();
        h = EngineHarness.create(freshDatabase(), EngineHarness.settings("worker-a").withTenantLimits(1, 0)).withNodeAndPlans(20);
        Tenant busy = h.tenant();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        h.provider.onCall(InMemoryProvider.Verb.PROVISION, id -> {
            if (!h.berth.instances().get(id).tenantId().equals(busy.id())) return;
            mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(300); // a slow runtime call, so that the tenant's operations would overlap on 4 workers
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
        });
        List<String> many = new ArrayList<>();
        for (int k = 0; k < 4; k++) many.add(h.provision(busy, "ghost").id());
        Instance other = h.provision(h.tenant(), "ghost");

        h.awaitState(other.id(), InstanceState.ACTIVE);
        // the other tenant did not queue behind the busy one, which still has provisions waiting for its one worker
        assertThat(many).filteredOn(id -> h.berth.instances().get(id).state() != InstanceState.ACTIVE).isNotEmpty();
        for (String id : many) h.awaitState(id, InstanceState.ACTIVE);
        assertThat(mostAtOnce.get()).isEqualTo(1);
        // being put off for the tenant's share is not an attempt
        for (String id : many) assertThat(h.berth.operations().forInstance(id).get(0).attempts()).isEqualTo(1);
    }

    @Test
    void provisioningPastTheTenantsInstanceCapIsRefusedUpFront() {
        h.close();
        h = EngineHarness.create(freshDatabase(), EngineHarness.settings("worker-a").withTenantLimits(0, 2)).withNodeAndPlans(20);
        Tenant t = h.tenant();
        Instance first = h.berth.instances().provision(new ProvisionCommand(t.id(), "ghost", "small", "order-1", null));
        h.provision(t, "ghost");

        assertThatThrownBy(() -> h.provision(t, "ghost"))
                .isInstanceOfSatisfying(LimitExceededException.class, e -> {
                    assertThat(e.limit()).isEqualTo("maxInstancesPerTenant");
                    assertThat(e.max()).isEqualTo(2);
                    assertThat(e.retryable()).isFalse();
                })
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining(t.id()).hasMessageContaining("maxInstancesPerTenant = 2");
        assertThat(h.berth.instances().list(t.id())).hasSize(2);
        // a repeated command is not a new instance: it still answers with the one it created
        assertThat(h.berth.instances().provision(new ProvisionCommand(t.id(), "ghost", "small", "order-1", null)).id())
                .isEqualTo(first.id());
        // other tenants have their own count
        h.awaitState(h.provision(h.tenant(), "ghost").id(), InstanceState.ACTIVE);
        // a terminated instance frees its slot
        h.awaitState(first.id(), InstanceState.ACTIVE);
        h.awaitDone(h.berth.instances().terminate(first.id()).id());
        h.awaitState(h.provision(t, "ghost").id(), InstanceState.ACTIVE);
    }

    @Test
    void aRuntimeCallThatTimesOutAfterDoingTheWorkIsRetriedWithoutDuplicates() {
        h.provider.failNextAfterEffect(InMemoryProvider.Verb.PROVISION, 2, () -> new UnavailableException("read timed out"));
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        Operation op = h.berth.operations().forInstance(i.id()).get(0);
        assertThat(op.attempts()).isEqualTo(3);
        assertThat(h.provider.createCount(i.id())).isEqualTo(1);
        assertThat(h.provider.calls(InMemoryProvider.Verb.PROVISION)).isEqualTo(3);
    }

    @Test
    void aPermanentFailureIsCompensatedAndTheInstanceFailsWithTheReason() {
        // the runtime created the containers, then rejected the spec: everything created must be removed
        h.provider.failNextAfterEffect(InMemoryProvider.Verb.PROVISION, 1, () -> new InvalidSpecException("image", "manifest unknown"));
        Instance i = h.provision(h.tenant(), "n8n");
        Instance failed = h.awaitState(i.id(), InstanceState.FAILED);
        assertThat(failed.stateReason()).contains("RUNTIME").contains("manifest unknown");
        assertThat(failed.nodeId()).isNull();
        assertThat(h.provider.contains(i.id())).isFalse();
        assertThat(h.dns.records()).doesNotContainKey(failed.hostname());
        Operation op = h.berth.operations().forInstance(i.id()).get(0);
        assertThat(op.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(op.attempts()).isEqualTo(1);
        assertThat(op.lastError()).contains("manifest unknown");
        // a failed instance can still be terminated, and that is clean too
        assertThat(h.awaitDone(h.berth.instances().terminate(i.id()).id()).status()).isEqualTo(OperationStatus.SUCCEEDED);
    }

    @Test
    void retryableErrorsThatNeverClearBecomePermanentAfterMaxAttempts() {
        h.provider.failAlways(InMemoryProvider.Verb.PROVISION, () -> new UnavailableException("docker daemon unreachable"));
        Instance i = h.provision(h.tenant(), "n8n");
        h.awaitState(i.id(), InstanceState.FAILED);
        Operation op = h.berth.operations().forInstance(i.id()).get(0);
        assertThat(op.attempts()).isEqualTo(4);
        assertThat(op.lastError()).contains("docker daemon unreachable");
        assertThat(h.provider.contains(i.id())).isFalse();
    }

    @Test
    void anIllegalCommandIsRejectedAndChangesNothing() {
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        int operations = h.berth.operations().forInstance(i.id()).size();

        assertThatThrownBy(() -> h.berth.instances().resume(i.id()))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("resume").hasMessageContaining("ACTIVE");
        assertThatThrownBy(() -> h.berth.instances().changePlan(i.id(), "no-such-plan"))
                .isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).field()).isEqualTo("planId"));
        assertThatThrownBy(() -> h.berth.instances().upgrade(i.id(), "latest"))
                .isInstanceOf(InvalidSpecException.class);

        Instance after = h.berth.instances().get(i.id());
        assertThat(after).isEqualTo(i);
        assertThat(h.berth.operations().forInstance(i.id())).hasSize(operations);
    }

    @Test
    void aSecondCommandWhileOneIsInFlightIsAConflict() {
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        h.provider.delay(InMemoryProvider.Verb.SUSPEND, Duration.ofMillis(800));
        Operation suspend = h.berth.instances().suspend(i.id(), SuspensionReason.ADMIN);
        assertThatThrownBy(() -> h.berth.instances().backup(i.id()))
                .isInstanceOf(ConflictException.class)
                .satisfies(e -> assertThat(((ConflictException) e).retryable()).isTrue());
        h.awaitDone(suspend.id());
        assertThat(h.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.SUSPENDED);
    }

    @Test
    void badProvisionInputNamesTheFieldAndCreatesNothing() {
        Tenant t = h.tenant();
        assertThatThrownBy(() -> h.berth.instances().provision(new ProvisionCommand(t.id(), "n8n", "nope", "k1", null)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("planId"));
        assertThatThrownBy(() -> h.berth.instances().provision(new ProvisionCommand(t.id(), "nope", "small", "k2", null)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("appId"));
        assertThatThrownBy(() -> h.berth.instances().provision(new ProvisionCommand(t.id(), "n8n", "small", "k3", "latest")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("appVersion"));
        assertThatThrownBy(() -> new ProvisionCommand(t.id(), "n8n", "small", " ", null))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("idempotencyKey"));
        assertThat(h.berth.instances().list(t.id())).isEmpty();

        Instance first = h.berth.instances().provision(new ProvisionCommand(t.id(), "ghost", "small", "k4", null));
        assertThat(h.berth.instances().provision(new ProvisionCommand(t.id(), "ghost", "small", "k4", null)).id()).isEqualTo(first.id());
        assertThatThrownBy(() -> h.berth.instances().provision(new ProvisionCommand(t.id(), "wordpress", "small", "k4", null)))
                .isInstanceOf(dev.berth.spi.error.AlreadyExistsException.class).hasMessageContaining("k4");
        assertThat(h.berth.instances().list(t.id())).hasSize(1);
    }

    @Test
    void whenNoNodeHasRoomTheInstanceIsQueuedAndPlacedWhenCapacityIsFreed() {
        h.close();
        h = EngineHarness.create(freshDatabase()).withNodeAndPlans(1);
        Tenant t = h.tenant();
        Instance first = h.awaitState(h.provision(t, "n8n").id(), InstanceState.ACTIVE);
        Instance second = h.awaitState(h.provision(t, "n8n").id(), InstanceState.QUEUED);
        assertThat(second.stateReason()).contains("node-1").contains("cpu");

        h.awaitDone(h.berth.instances().terminate(first.id()).id());
        Instance placed = h.awaitState(second.id(), InstanceState.ACTIVE);
        assertThat(placed.nodeId()).isEqualTo("node-1");
    }

    @Test
    void twoPlacementsRacingForTheLastSlotCannotBothSucceed() throws Exception {
        h.close();
        h = EngineHarness.create(freshDatabase()).withNodeAndPlans(1);
        Tenant t = h.tenant();
        // both operations reach PLACE at the same moment on two workers
        h.provider.delay(InMemoryProvider.Verb.PROVISION, Duration.ofMillis(300));
        Instance a = h.provision(t, "ghost");
        Instance b = h.provision(t, "ghost");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                // a stream, not Set.of: both may still be PENDING at one poll, and Set.of refuses duplicates
                java.util.stream.Stream.of(h.berth.instances().get(a.id()).state(), h.berth.instances().get(b.id()).state())
                        .collect(java.util.stream.Collectors.toSet()).equals(Set.of(InstanceState.ACTIVE, InstanceState.QUEUED)));
        assertThat(h.provider.resourcesCreated()).isEqualTo(1);
    }

    @Test
    void aDrainingNodeTakesNothingNewAndCannotBeDeregisteredWhileInstancesLive() {
        Instance a = h.awaitState(h.provision(h.tenant(), "ghost").id(), InstanceState.ACTIVE);
        h.berth.nodes().setStatus("node-1", dev.berth.core.node.NodeStatus.DRAINING);
        Instance queued = h.awaitState(h.provision(h.tenant(), "ghost").id(), InstanceState.QUEUED);
        assertThat(queued.stateReason()).contains("node-1: node is DRAINING");
        assertThat(h.berth.instances().get(a.id()).state()).isEqualTo(InstanceState.ACTIVE);
        assertThatThrownBy(() -> h.berth.nodes().deregister("node-1"))
                .isInstanceOf(ConflictException.class).hasMessageContaining("node-1");
        // back online: the queue drains by itself
        h.berth.nodes().setStatus("node-1", dev.berth.core.node.NodeStatus.ONLINE);
        h.awaitState(queued.id(), InstanceState.ACTIVE);
    }

    @Test
    void theCapacityCheckAgreesWithRealPlacements() {
        h.close();
        h = EngineHarness.create(freshDatabase()).withNodeAndPlans(3);
        Tenant t = h.tenant();
        var before = h.berth.capacity().check("small", t.id());
        assertThat(before.placeableNow()).isTrue();
        assertThat(before.node()).isEqualTo("node-1");
        assertThat(before.moreThatFit()).isEqualTo(3);
        for (int k = 0; k < 3; k++) h.awaitState(h.provision(t, "ghost").id(), InstanceState.ACTIVE);
        var full = h.berth.capacity().check("small", t.id());
        assertThat(full.placeableNow()).isFalse();
        assertThat(full.moreThatFit()).isZero();
        assertThat(full.rejections().get("node-1")).startsWith("cpu");
        assertThat(h.awaitState(h.provision(t, "ghost").id(), InstanceState.QUEUED).stateReason()).contains("node-1: cpu");
        assertThatThrownBy(() -> h.berth.capacity().check("nope", t.id()))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("planId"));
    }

    @Test
    void gracePeriodThenSuspensionThenTerminationWithBackupUnderAFakeClock() {
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        h.provider.writeData(i.id(), "workflows", "42");

        assertThat(h.berth.billing().apply(new BillingEvent("evt_1", i.id(), Entitlement.GRACE, null, h.clock.instant()))).isTrue();
        assertThat(h.berth.billing().apply(new BillingEvent("evt_1", i.id(), Entitlement.GRACE, null, h.clock.instant()))).isFalse();
        h.clock.advance(Duration.ofDays(6));
        assertThat(h.berth.jobs().enforceEntitlements()).isEmpty();
        assertThat(h.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.ACTIVE);

        h.clock.advance(Duration.ofDays(1).plusMinutes(1)); // grace (7 days) has passed
        List<String> started = h.berth.jobs().enforceEntitlements();
        assertThat(started).hasSize(1);
        h.awaitDone(started.get(0));
        Instance suspended = h.berth.instances().get(i.id());
        assertThat(suspended.state()).isEqualTo(InstanceState.SUSPENDED);
        assertThat(suspended.suspensionReason()).isEqualTo(SuspensionReason.BILLING);

        h.berth.billing().apply(new BillingEvent("evt_2", i.id(), Entitlement.ENDED, null, h.clock.instant()));
        h.clock.advance(Duration.ofDays(29));
        assertThat(h.berth.jobs().enforceEntitlements()).isEmpty();
        h.clock.advance(Duration.ofDays(1).plusMinutes(1)); // retention (30 days) has passed
        started = h.berth.jobs().enforceEntitlements();
        assertThat(started).hasSize(1);
        h.awaitDone(started.get(0));

        assertThat(h.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.TERMINATED);
        assertThat(h.provider.contains(i.id())).isFalse();
        var finalBackups = h.backups.list(i.id());
        assertThat(finalBackups).hasSize(1);
        assertThat(finalBackups.get(0).encryptionKeyRef()).isEqualTo("N8N_ENCRYPTION_KEY");
    }

    @Test
    void paymentRecoveredResumesABillingSuspensionButNotAnAdminOne() {
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        h.berth.billing().apply(new BillingEvent("e1", i.id(), Entitlement.SUSPENDED, null, h.clock.instant()));
        h.awaitState(i.id(), InstanceState.SUSPENDED);
        h.clock.advance(Duration.ofMinutes(1));
        // an older event delivered late does not override the newer state
        h.berth.billing().apply(new BillingEvent("e0", i.id(), Entitlement.ACTIVE, null, h.clock.instant().minus(Duration.ofHours(1))));
        assertThat(h.berth.instances().get(i.id()).entitlement()).isEqualTo(Entitlement.SUSPENDED);
        h.berth.billing().apply(new BillingEvent("e2", i.id(), Entitlement.ACTIVE, "large", h.clock.instant()));
        h.awaitState(i.id(), InstanceState.ACTIVE);
        // the plan change in the same event is picked up by the enforcement job once the resume is done
        await(() -> h.berth.instances().get(i.id()).activeOperationId() == null);
        h.berth.jobs().enforceEntitlements();

        Instance j = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        h.awaitDone(h.berth.instances().suspend(j.id(), SuspensionReason.ADMIN).id());
        h.berth.billing().apply(new BillingEvent("e3", j.id(), Entitlement.ACTIVE, null, h.clock.instant().plusSeconds(1)));
        assertThat(h.berth.jobs().enforceEntitlements()).isEmpty();
        assertThat(h.berth.instances().get(j.id()).state()).isEqualTo(InstanceState.SUSPENDED);
    }

    @Test
    void twoBerthProcessesOnOneDatabaseNeverRunAnOperationTwice() {
        EngineHarness b = h.peer("worker-b", (op, step) -> { });
        extra.add(b);
        h.provider.delay(InMemoryProvider.Verb.PROVISION, Duration.ofMillis(20));
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            EngineHarness via = k % 2 == 0 ? h : b;
            ids.add(via.provision(h.tenant(), "n8n").id());
        }
        for (String id : ids) h.awaitState(id, InstanceState.ACTIVE);
        assertThat(h.provider.calls(InMemoryProvider.Verb.PROVISION)).isEqualTo(20);
        for (String id : ids) assertThat(h.provider.createCount(id)).isEqualTo(1);
    }

    @Test
    void reconcilerRepairsStateDriftReportsMissingAndOrphans() {
        Instance a = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        Instance b = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        h.provider.suspend(a.id());           // someone stopped it behind Berth's back
        h.provider.terminate(b.id());         // the runtime lost it, and its data with it
        var orphan = h.provider.lastRequest(a.id()).orElseThrow();
        h.provider.provision(new dev.berth.spi.ProvisionRequest("stray-1", orphan.tenantId(), "stray", "stray.apps.test",
                orphan.appId(), orphan.appVersion(), orphan.components(), orphan.resources(), orphan.node(), Map.of()));

        List<Reconciler.Drift> drifts = h.berth.reconciler().reconcile();

        assertThat(drifts).anySatisfy(d -> {
            assertThat(d.instanceId()).isEqualTo(a.id());
            assertThat(d.kind()).isEqualTo(Reconciler.Drift.Kind.STATE);
            assertThat(d.repaired()).isTrue();
        });
        // the repair is an operation of the instance, like any command
        Reconciler.Drift stateDrift = drifts.stream().filter(d -> a.id().equals(d.instanceId())).findFirst().orElseThrow();
        Operation repair = h.awaitDone(stateDrift.repairOperation());
        assertThat(repair.type()).isEqualTo(OperationType.REPAIR);
        assertThat(repair.status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(h.provider.status(a.id()).state()).isEqualTo(RuntimeState.RUNNING);
        // a lost instance is not provisioned again empty: by default it is reported (see ReconcilerEngineContract)
        assertThat(drifts).anySatisfy(d -> {
            assertThat(d.instanceId()).isEqualTo(b.id());
            assertThat(d.kind()).isEqualTo(Reconciler.Drift.Kind.MISSING);
        });
        drifts.stream().filter(d -> b.id().equals(d.instanceId())).forEach(d -> h.awaitDone(d.repairOperation()));
        assertThat(h.provider.contains(b.id())).isFalse();
        assertThat(h.berth.instances().get(b.id()).stateReason()).startsWith("lost by its runtime");
        assertThat(drifts).anySatisfy(d -> {
            assertThat(d.instanceId()).isEqualTo("stray-1");
            assertThat(d.kind()).isEqualTo(Reconciler.Drift.Kind.ORPHAN);
        });
        assertThat(h.provider.contains("stray-1")).isTrue(); // reported, never deleted
    }

    @Test
    void noGeneratedSecretReachesTheLogsOrAnyToString() throws Exception {
        List<String> secrets = Collections.synchronizedList(new ArrayList<>());
        Instance i = h.awaitState(h.provision(h.tenant(), "ghost").id(), InstanceState.ACTIVE);
        String request = h.provider.lastRequest(i.id()).orElseThrow().toString();
        h.provider.failNext(InMemoryProvider.Verb.SUSPEND, 1, () -> new UnavailableException("flaky"));
        h.awaitDone(h.berth.instances().suspend(i.id(), SuspensionReason.ADMIN).id());
        h.awaitDone(h.berth.instances().terminate(i.id()).id());
        h.berth.instances().credentials(i.id()).values().forEach(v -> secrets.add(v.reveal()));
        assertThat(secrets).isNotEmpty();

        List<String> printed = new ArrayList<>();
        h.berth.operations().forInstance(i.id()).forEach(o -> printed.add(o.toString()));
        h.notifier.sent().forEach(n -> printed.add(n.toString()));
        printed.add(request);
        Path log = Path.of("target/test-logs/berth-tests.log");
        assertThat(log).exists();
        printed.add(Files.readString(log));
        for (String secret : secrets) {
            for (String text : printed) {
                assertThat(text).doesNotContain(secret);
            }
        }
    }

    @Test
    void periodicBackupsFollowThePlanAndOldOnesArePruned() {
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        List<String> started = h.berth.jobs().runDueBackups();
        assertThat(started).hasSize(1);
        h.awaitDone(started.get(0));
        h.clock.advance(Duration.ofHours(1));
        assertThat(h.berth.jobs().runDueBackups()).as("not due within the daily interval").isEmpty();
        h.clock.advance(Duration.ofDays(1));
        h.awaitDone(h.berth.jobs().runDueBackups().get(0));
        assertThat(h.backups.list(i.id())).hasSize(2);
        h.clock.advance(Duration.ofDays(8)); // the first backup is now past the 7-day retention
        h.awaitDone(h.berth.jobs().runDueBackups().get(0));
        var kept = h.backups.list(i.id());
        assertThat(kept).hasSize(2);
        assertThat(kept.get(0).createdAt()).isEqualTo(h.clock.instant());
    }

    @Test
    void healthChecksRaiseAnEventForInstancesThatAreNotRunning() {
        List<dev.berth.core.events.BerthEvent> events = Collections.synchronizedList(new ArrayList<>());
        h.berth.onEvent(events::add);
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        assertThat(h.berth.jobs().checkHealth()).isEmpty();
        h.provider.suspend(i.id());
        assertThat(h.berth.jobs().checkHealth()).containsExactly(i.id());
        assertThat(events).extracting(dev.berth.core.events.BerthEvent::type)
                .contains(dev.berth.core.events.BerthEvent.Type.INSTANCE_PROVISIONED,
                        dev.berth.core.events.BerthEvent.Type.HEALTH_CHECK_FAILED);
    }

    @Test
    void n8nNeedsTheOperatorsLicenceAcknowledgement() {
        h.close();
        h = EngineHarness.create(freshDatabase(), EngineHarness.settings("no-ack").withLicenceAcknowledgements(Set.of()))
                .withNodeAndPlans(2);
        Tenant t = h.tenant();
        assertThatThrownBy(() -> h.provision(t, "n8n"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("licenceAcknowledgements"))
                .hasMessageContaining("n8n");
        assertThat(h.berth.instances().list(t.id())).isEmpty();
        // apps without such terms are offered as usual
        assertThat(h.awaitState(h.provision(t, "ghost").id(), InstanceState.ACTIVE).appId()).isEqualTo("ghost");
    }

    static void await(java.util.concurrent.Callable<Boolean> condition) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(condition);
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
