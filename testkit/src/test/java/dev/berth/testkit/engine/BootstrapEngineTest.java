package dev.berth.testkit.engine;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.lifecycle.OwnerLogin;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.core.tenant.Tenant;
import dev.berth.spi.ExecResult;
import dev.berth.spi.SecretValue;
import dev.berth.spi.notify.Notification;
import dev.berth.testkit.memory.InMemoryProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The owner account of the built-in n8n and WordPress entries, made during provisioning (issue: apps arrive owned). */
class BootstrapEngineTest {

    private EngineHarness h;

    @AfterEach
    void stop() {
        if (h != null) h.close();
    }

    private static DatabaseSettings db() {
        return DatabaseSettings.h2Memory("bootstrap-" + UUID.randomUUID());
    }

    @Test
    void n8nGetsItsOwnerFromTheEnvironmentAsABcryptHashOfTheHandedOverPassword() {
        h = EngineHarness.create(db()).withNodeAndPlans(20);
        Tenant t = h.tenant();

        Instance i = h.awaitState(h.provision(t, "n8n").id(), InstanceState.ACTIVE);

        var app = h.provider.lastRequest(i.id()).orElseThrow().components().get(0);
        OwnerLogin owner = h.berth.instances().ownerLogin(i.id()).orElseThrow();
        assertThat(owner.login()).isEqualTo(t.email());
        assertThat(owner.loginUrl()).isEqualTo(i.url() + "/signin");
        assertThat(app.env()).containsEntry("N8N_INSTANCE_OWNER_MANAGED_BY_ENV", "true")
                .containsEntry("N8N_INSTANCE_OWNER_EMAIL", t.email())
                .containsEntry("N8N_INSTANCE_OWNER_FIRST_NAME", "Customer");
        String hash = app.secretEnv().get("N8N_INSTANCE_OWNER_PASSWORD_HASH").reveal();
        assertThat(hash).startsWith("$2a$10$");
        assertThat(BCrypt.verifyer().verify(owner.password().reveal().toCharArray(), hash).verified)
                .as("the hash n8n gets is of the password the customer gets").isTrue();
        assertThat(owner.toString()).doesNotContain(owner.password().reveal());
        // no exec needed: the account is declarative
        assertThat(h.provider.execHistory(i.id())).isEmpty();
        assertThat(h.berth.operations().forInstance(i.id()).get(0).completedSteps()).doesNotContain("BOOTSTRAP");
    }

    @Test
    void wordpressIsInstalledFromInsideWithThePasswordOnStdinAndTheOwnerGetsTheLogin() {
        h = EngineHarness.create(db()).withNodeAndPlans(20);
        Tenant t = h.tenant();

        Instance i = h.awaitState(h.provision(t, "wordpress").id(), InstanceState.ACTIVE);

        OwnerLogin owner = h.berth.instances().ownerLogin(i.id()).orElseThrow();
        List<List<String>> ran = h.provider.execHistory(i.id());
        assertThat(ran).hasSize(1);
        assertThat(ran.get(0)).startsWith("curl").endsWith("http://localhost/wp-admin/install.php?step=2");
        assertThat(String.join(" ", ran.get(0))).as("no secret in the arguments").doesNotContain(owner.password().reveal());
        String form = h.provider.execInputs(i.id()).get(0).reveal();
        assertThat(form).contains("admin_password=" + owner.password().reveal(), "user_name=" + t.email());
        Operation op = h.berth.operations().forInstance(i.id()).get(0);
        assertThat(op.completedSteps()).containsExactly("PLACE", "SECRETS", "DNS", "RUNTIME", "READY", "BOOTSTRAP", "ACTIVATE");
        await().atMost(Duration.ofSeconds(10)).until(() -> !h.notifier.sent(Notification.Type.INSTANCE_READY).isEmpty());
        Notification ready = h.notifier.sent(Notification.Type.INSTANCE_READY).get(0);
        assertThat(ready.credentials()).containsOnlyKeys("ADMIN_PASSWORD");
        assertThat(ready.values()).containsEntry("login", t.email()).containsEntry("loginUrl", i.url() + "/wp-login.php");
    }

    @Test
    void aFailingBootstrapIsRetriedAndItsErrorQuotesTheCommandWithSecretsMasked() {
        AtomicInteger calls = new AtomicInteger();
        h = EngineHarness.create(db(), EngineHarness.runtime().program("curl", (argv, stdin, component) -> {
            // the app echoes what it was sent (as some do in an error page); the first two calls fail
            return calls.incrementAndGet() <= 2
                    ? new ExecResult(22, "", "curl: (22) The requested URL returned error: 500 for " + stdin, false)
                    : new ExecResult(0, "", "", false);
        })).withNodeAndPlans(20);

        Instance i = h.awaitState(h.provision(h.tenant(), "wordpress").id(), InstanceState.ACTIVE);

        SecretValue password = h.berth.instances().ownerLogin(i.id()).orElseThrow().password();
        assertThat(calls).hasValue(3);
        Operation op = h.berth.operations().forInstance(i.id()).get(0);
        assertThat(op.status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(op.attempts()).isEqualTo(3);
        assertThat(op.lastError()).contains("bootstrap action 'install'", "exited 22", "****")
                .doesNotContain(password.reveal());
    }

    @Test
    void anAppThatNeedsExecOnARuntimeWithoutItFailsClearlyAndLeavesNothing() {
        h = EngineHarness.create(db(), InMemoryProvider.builder().exec(false)).withNodeAndPlans(20);

        Instance i = h.awaitState(h.provision(h.tenant(), "wordpress").id(), InstanceState.FAILED);

        Operation op = h.berth.operations().forInstance(i.id()).get(0);
        assertThat(op.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(op.lastError()).contains("no exec capability");
        assertThat(h.provider.contains(i.id())).as("compensated: no runtime left").isFalse();
    }
}
