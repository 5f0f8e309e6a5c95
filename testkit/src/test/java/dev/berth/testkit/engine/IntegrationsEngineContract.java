package dev.berth.testkit.engine;

import dev.berth.core.billing.BillingEvent;
import dev.berth.core.billing.Entitlement;
import dev.berth.core.catalog.Catalog;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.notify.NotificationSettings;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.operation.OperationType;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.RateLimitedException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.notify.Notification;
import dev.berth.testkit.memory.InMemoryDnsProvider;
import dev.berth.testkit.memory.InMemoryNotifier;
import dev.berth.testkit.memory.InMemoryProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.berth.testkit.engine.EngineContract.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Durable messages, termination warnings, backup retention and the secrets backups depend on; run on H2
 * ({@link IntegrationsEngineH2Test}) and PostgreSQL ({@link IntegrationsEnginePostgresIT}).
 */
abstract class IntegrationsEngineContract {

    protected abstract DatabaseSettings freshDatabase();

    private static final String OPERATOR = "ops@hosting.example";

    private EngineHarness h;
    private InMemoryNotifier notifier;

    private EngineHarness harness(NotificationSettings notifications) {
        notifier = new InMemoryNotifier();
        h = EngineHarness.create(freshDatabase(), EngineHarness.settings("worker-a"),
                notifier, Catalog.builtin(), notifications).withNodeAndPlans(10);
        return h;
    }

    @AfterEach
    void stop() {
        if (h != null) h.close();
    }

    private List<Operation> messages(String instanceId) {
        return h.berth.operations().forInstance(instanceId).stream().filter(o -> o.type() == OperationType.NOTIFY).toList();
    }

    private Operation awaitMessage(String instanceId, Notification.Type type, OperationStatus status) {
        await(() -> messages(instanceId).stream().anyMatch(o -> type.name().equals(o.params().get("notification")) && o.status() == status));
        return messages(instanceId).stream().filter(o -> type.name().equals(o.params().get("notification"))).findFirst().orElseThrow();
    }

    @Test
    void aMessageThatCannotBeSentIsRetriedAndNeverHoldsUpOrUndoesTheProvision() {
        harness(NotificationSettings.defaults());
        notifier.failNext(InMemoryNotifier.Verb.SEND, 3, () -> new UnavailableException("mail server down"));
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);

        Operation sent = awaitMessage(i.id(), Notification.Type.INSTANCE_READY, OperationStatus.SUCCEEDED);
        assertThat(sent.attempts()).isEqualTo(4);
        assertThat(sent.lastError()).contains("mail server down");
        assertThat(notifier.sent(Notification.Type.INSTANCE_READY)).hasSize(1);
        assertThat(h.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.ACTIVE);
        // the history shows the provision and then its message
        assertThat(h.berth.operations().forInstance(i.id())).extracting(Operation::type)
                .containsExactly(OperationType.PROVISION, OperationType.NOTIFY);
        assertThat(h.berth.operations().forInstance(i.id()).get(0).status()).isEqualTo(OperationStatus.SUCCEEDED);
    }

    @Test
    void aRefusedMailLoginIsRetriedBecauseTheOperatorFixesIt() {
        harness(NotificationSettings.defaults());
        notifier.failNext(InMemoryNotifier.Verb.SEND, 2, () -> new AuthenticationException("SMTP login refused"));
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        Operation sent = awaitMessage(i.id(), Notification.Type.INSTANCE_READY, OperationStatus.SUCCEEDED);
        assertThat(sent.attempts()).isEqualTo(3);
        assertThat(notifier.sent(Notification.Type.INSTANCE_READY)).hasSize(1);
    }

    @Test
    void aMessageGivenUpIsFailedInTheHistoryAndTheInstanceIsUntouched() {
        harness(NotificationSettings.defaults().withMaxAttempts(2));
        notifier.failAlways(InMemoryNotifier.Verb.SEND, () -> new UnavailableException("mail server down"));
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);

        Operation failed = awaitMessage(i.id(), Notification.Type.INSTANCE_READY, OperationStatus.FAILED);
        assertThat(failed.attempts()).isEqualTo(2);
        assertThat(failed.lastError()).contains("mail server down");
        Instance after = h.berth.instances().get(i.id());
        assertThat(after.state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(after.activeOperationId()).isNull();
        // and the instance takes commands as usual
        assertThat(h.awaitDone(h.berth.instances().suspend(i.id(), SuspensionReason.ADMIN).id()).status()).isEqualTo(OperationStatus.SUCCEEDED);
    }

    @Test
    void suspendResumeAndTerminateEachSendTheirMessageOnce() {
        harness(NotificationSettings.defaults());
        var t = h.tenant();
        Instance i = h.awaitState(h.provision(t, "ghost").id(), InstanceState.ACTIVE);
        // the ready message is its own operation, and it is dropped by design once the instance is terminated:
        // let it go out before the instance moves on
        await(() -> notifier.sent(Notification.Type.INSTANCE_READY).size() == 1);
        h.awaitDone(h.berth.instances().suspend(i.id(), SuspensionReason.ADMIN).id());
        h.awaitDone(h.berth.instances().resume(i.id()).id());
        h.awaitDone(h.berth.instances().terminate(i.id()).id());
        await(() -> notifier.sent(Notification.Type.INSTANCE_TERMINATED).size() == 1);
        await(() -> messages(i.id()).stream().allMatch(o -> o.status() == OperationStatus.SUCCEEDED));

        // messages are independent operations: their order is not promised
        assertThat(notifier.sent()).extracting(Notification::type).containsExactlyInAnyOrder(Notification.Type.INSTANCE_READY,
                Notification.Type.INSTANCE_SUSPENDED, Notification.Type.INSTANCE_RESUMED, Notification.Type.INSTANCE_TERMINATED);
        assertThat(notifier.sent()).allSatisfy(n -> {
            assertThat(n.recipient()).isEqualTo(t.email());
            assertThat(n.values()).containsEntry("url", i.url()).containsEntry("app", "Ghost");
            assertThat(n.credentials()).as("ghost has no customer login that Berth generates").isEmpty();
        });
        assertThat(notifier.sent(Notification.Type.INSTANCE_SUSPENDED).get(0).values()).containsEntry("reason", "ADMIN");
    }

    @Test
    void theTerminationWarningGoesOutOnceAtTheConfiguredLeadTime() {
        harness(NotificationSettings.defaults().withTerminationWarning(Duration.ofDays(7)));
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        Instant ended = h.clock.instant();
        h.berth.billing().apply(new BillingEvent("evt-end", i.id(), Entitlement.ENDED, null, ended));
        h.awaitState(i.id(), InstanceState.SUSPENDED);

        // the small plan keeps a suspended instance 30 days: the warning is due from day 23
        h.clock.advance(Duration.ofDays(23).minusMinutes(1));
        assertThat(h.berth.jobs().sendTerminationWarnings()).isEmpty();
        h.clock.advance(Duration.ofMinutes(2));
        assertThat(h.berth.jobs().sendTerminationWarnings()).containsExactly(i.id());
        assertThat(h.berth.jobs().sendTerminationWarnings()).as("once per schedule").isEmpty();
        h.clock.advance(Duration.ofDays(1));
        assertThat(h.berth.jobs().sendTerminationWarnings()).isEmpty();

        await(() -> notifier.sent(Notification.Type.TERMINATION_WARNING).size() == 1);
        Notification warning = notifier.sent(Notification.Type.TERMINATION_WARNING).get(0);
        assertThat(warning.values()).containsEntry("terminationAt", ended.plus(Duration.ofDays(30)).toString())
                .containsEntry("terminationDate", "2026-03-31");

        h.clock.advance(Duration.ofDays(7));
        h.awaitDone(h.berth.jobs().enforceEntitlements().get(0));
        assertThat(h.berth.jobs().sendTerminationWarnings()).as("no warning after the fact").isEmpty();
        await(() -> notifier.sent(Notification.Type.INSTANCE_TERMINATED).size() == 1);
        assertThat(notifier.sent(Notification.Type.TERMINATION_WARNING)).hasSize(1);
    }

    @Test
    void aBackupThatFailsForGoodIsReportedToTheOperator() {
        harness(NotificationSettings.defaults().withOperatorEmail(OPERATOR));
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        // a long error still fits the message's parameters
        h.provider.failNext(InMemoryProvider.Verb.BACKUP, 1, () -> new BerthException("volume snapshot refused " + "x".repeat(3000), false));
        Operation backup = h.awaitDone(h.berth.instances().backup(i.id()).id());
        assertThat(backup.status()).isEqualTo(OperationStatus.FAILED);

        await(() -> notifier.sent(Notification.Type.BACKUP_FAILED).size() == 1);
        Notification n = notifier.sent(Notification.Type.BACKUP_FAILED).get(0);
        assertThat(n.recipient()).isEqualTo(OPERATOR);
        assertThat(n.values()).containsEntry("operation", backup.id()).containsEntry("operationType", "BACKUP");
        assertThat(n.values().get("error")).contains("volume snapshot refused").hasSizeLessThanOrEqualTo(501);
        assertThat(h.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.ACTIVE);
    }

    @Test
    void withoutAnOperatorAddressOperatorMessagesAreNotRecorded() {
        harness(NotificationSettings.defaults());
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        h.provider.failNext(InMemoryProvider.Verb.BACKUP, 1, () -> new BerthException("volume snapshot refused", false));
        h.awaitDone(h.berth.instances().backup(i.id()).id());
        await(() -> messages(i.id()).stream().allMatch(o -> o.status() != OperationStatus.IN_PROGRESS));
        assertThat(messages(i.id())).extracting(o -> o.params().get("notification")).containsExactly("INSTANCE_READY");
    }

    @Test
    void retentionRemovesExactlyTheExpiredBackups() {
        harness(NotificationSettings.defaults());
        Instance live = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        Instance gone = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        h.awaitDone(h.berth.instances().terminate(gone.id()).id()); // takes a final backup at T0
        String finalBackup = h.berth.instances().backups(gone.id()).get(0).backupId();
        Instant now = h.clock.instant();
        // the small plan keeps backups 7 days
        put(live, "live-10d", now.minus(Duration.ofDays(10)));
        put(live, "live-7d-1s", now.minus(Duration.ofDays(7)).minusSeconds(1));
        put(live, "live-7d", now.minus(Duration.ofDays(7)));
        put(live, "live-6d", now.minus(Duration.ofDays(6)));
        put(gone, "gone-3d", now.minus(Duration.ofDays(3)));

        assertThat(h.berth.jobs().enforceBackupRetention()).containsExactlyInAnyOrder("live-10d", "live-7d-1s");
        assertThat(ids(live)).containsExactly("live-6d", "live-7d");
        assertThat(ids(gone)).containsExactly(finalBackup, "gone-3d");
        assertThat(h.berth.jobs().enforceBackupRetention()).isEmpty();

        h.clock.advance(Duration.ofDays(5));
        assertThat(h.berth.jobs().enforceBackupRetention()).containsExactlyInAnyOrder("live-7d", "gone-3d");
        assertThat(ids(live)).containsExactly("live-6d");
        assertThat(ids(gone)).containsExactly(finalBackup);

        // a live instance keeps its newest backup however old; a terminated one keeps nothing past retention
        h.clock.advance(Duration.ofDays(3));
        assertThat(h.berth.jobs().enforceBackupRetention()).containsExactly(finalBackup);
        assertThat(ids(live)).containsExactly("live-6d");
        assertThat(ids(gone)).isEmpty();
    }

    @Test
    void secretsOfATerminatedInstanceStayWhileABackupNeedsThemEvenAfterTheTenantIsDeleted() {
        harness(NotificationSettings.defaults());
        var t = h.tenant();
        Instance i = h.awaitState(h.provision(t, "n8n").id(), InstanceState.ACTIVE);
        var key = h.berth.instances().credentials(i.id()).get("N8N_ENCRYPTION_KEY");
        h.awaitDone(h.berth.instances().terminate(i.id()).id());
        BackupManifest last = h.berth.instances().backups(i.id()).get(0);
        assertThat(last.encryptionKeyRef()).isEqualTo("N8N_ENCRYPTION_KEY");

        h.berth.tenants().delete(t.id());
        h.berth.jobs().enforceBackupRetention();
        assertThat(h.berth.instances().credentials(i.id())).as("the retained backup needs the key")
                .containsEntry("N8N_ENCRYPTION_KEY", key);

        h.clock.advance(Duration.ofDays(7).plusSeconds(1));
        assertThat(h.berth.jobs().enforceBackupRetention()).containsExactly(last.backupId());
        assertThat(h.berth.instances().credentials(i.id())).as("gone with the last backup").isEmpty();
    }

    @Test
    void backupsAreListedAndDeletedThroughTheFacadeAndTheLastDeletionOfATerminatedInstanceDropsItsSecrets() {
        harness(NotificationSettings.defaults());
        Instance a = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        Instance b = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        h.awaitDone(h.berth.instances().backup(a.id()).id());
        h.clock.advance(Duration.ofHours(1));
        h.awaitDone(h.berth.instances().backup(a.id()).id());
        List<BackupManifest> listed = h.berth.instances().backups(a.id());
        assertThat(listed).hasSize(2);
        assertThat(listed.get(0).createdAt()).isAfter(listed.get(1).createdAt());

        assertThatThrownBy(() -> h.berth.instances().deleteBackup(b.id(), listed.get(0).backupId()))
                .isInstanceOf(NotFoundException.class);
        h.berth.instances().deleteBackup(a.id(), listed.get(1).backupId());
        assertThat(h.berth.instances().backups(a.id())).extracting(BackupManifest::backupId).containsExactly(listed.get(0).backupId());
        assertThat(h.berth.instances().credentials(a.id())).as("a live instance keeps its secrets").isNotEmpty();

        h.awaitDone(h.berth.instances().terminate(a.id()).id());
        for (BackupManifest m : h.berth.instances().backups(a.id())) {
            assertThat(h.berth.instances().credentials(a.id())).isNotEmpty();
            h.berth.instances().deleteBackup(a.id(), m.backupId());
        }
        assertThat(h.berth.instances().backups(a.id())).isEmpty();
        assertThat(h.berth.instances().credentials(a.id())).isEmpty();
    }

    @Test
    void restoringAnN8nBackupGivesTheInstanceTheSameEncryptionKey() {
        harness(NotificationSettings.defaults());
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        var key = h.berth.instances().credentials(i.id()).get("N8N_ENCRYPTION_KEY");
        h.provider.writeData(i.id(), "workflows", "encrypted with the key");
        h.awaitDone(h.berth.instances().backup(i.id()).id());
        BackupManifest m = h.berth.instances().backups(i.id()).get(0);
        assertThat(m.encryptionKeyRef()).isEqualTo("N8N_ENCRYPTION_KEY");
        h.provider.writeData(i.id(), "workflows", "changed");

        assertThat(h.awaitDone(h.berth.instances().restore(i.id(), m.backupId()).id()).status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(h.provider.readData(i.id(), "workflows")).contains("encrypted with the key");
        assertThat(h.berth.instances().credentials(i.id()).get("N8N_ENCRYPTION_KEY")).isEqualTo(key);
        assertThat(h.provider.lastRequest(i.id()).orElseThrow().components().get(0).secretEnv().get("N8N_ENCRYPTION_KEY")).isEqualTo(key);
    }

    @Test
    void aRateLimitedStepIsRetriedNoSoonerThanTheServiceAsked() {
        harness(NotificationSettings.defaults());
        h.dns.failNext(InMemoryDnsProvider.Verb.UPSERT, 1, () -> new RateLimitedException("DNS API rate limit", Duration.ofMillis(1500)));
        long start = System.nanoTime();
        Instance i = h.awaitState(h.provision(h.tenant(), "n8n").id(), InstanceState.ACTIVE);
        // the engine's own backoff here is 50 ms; the service asked for 1.5 s
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        Operation provision = h.berth.operations().forInstance(i.id()).get(0);
        assertThat(provision.attempts()).isEqualTo(2);
        assertThat(h.dns.target(i.hostname())).isPresent();
    }

    private void put(Instance i, String id, Instant at) {
        h.backups.put(new BackupManifest(id, i.id(), "n8n", "2.10.2", at, 0, null, "N8N_ENCRYPTION_KEY"),
                new ByteArrayInputStream(id.getBytes()));
    }

    private List<String> ids(Instance i) {
        return h.berth.instances().backups(i.id()).stream().map(BackupManifest::backupId).toList();
    }
}
