package dev.berth.testkit.engine;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.berth.core.catalog.Catalog;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.notify.NotificationSettings;
import dev.berth.core.notify.smtp.SmtpNotifier;
import dev.berth.core.notify.smtp.SmtpSettings;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.operation.OperationType;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.core.tenant.Tenant;
import dev.berth.spi.SecretValue;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static dev.berth.testkit.engine.EngineContract.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The credential mail end to end: Berth provisions on the in-memory runtime and sends through {@link SmtpNotifier}
 * to a real SMTP server (GreenMail) in this JVM.
 */
class SmtpNotificationEngineTest {

    /** An app whose admin password is a customer credential, beside a database password that is not. */
    static final String CATALOG = """
            apps:
              - id: demo
                name: Demo CRM
                defaultVersion: "1.2.3"
                supportedVersions: ["1.2.3"]
                secrets:
                  - name: ADMIN_PASSWORD
                    length: 24
                    alphabet: ALPHANUMERIC
                    credential: true
                  - name: DB_PASSWORD
                    length: 32
                    alphabet: ALPHANUMERIC
                licence:
                  spdx: MIT
                  requiresAcknowledgement: false
                components:
                  - name: app
                    image: "example/demo:{version}"
                    http: true
                    ports:
                      - name: http
                        port: 8080
                    volumes:
                      - name: data
                        path: /data
                    env:
                      PUBLIC_HOST: "${host}"
                      ADMIN_PASSWORD: "${secret.ADMIN_PASSWORD}"
                      DB_PASSWORD: "${secret.DB_PASSWORD}"
                    readiness:
                      path: /health
                      port: 8080
            """;

    private GreenMail smtp;
    private EngineHarness h;

    @AfterEach
    void stop() {
        if (h != null) h.close();
        if (smtp != null) smtp.stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void startSmtp(int port) {
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
    }

    private void startBerth(int smtpPort) {
        var settings = SmtpSettings.of("127.0.0.1", smtpPort, "Acme Hosting <noreply@acme.example>")
                .withSecurity(SmtpSettings.Security.NONE).withReplyTo("support@acme.example")
                .withTimeout(Duration.ofSeconds(2));
        // messages retry for as long as the test needs the mail server to come back
        h = EngineHarness.create(DatabaseSettings.h2Memory("smtp-" + UUID.randomUUID()), EngineHarness.settings("worker-a"),
                new SmtpNotifier(settings), Catalog.parseYaml(CATALOG), NotificationSettings.defaults().withMaxAttempts(1000))
                .withNodeAndPlans(5);
    }

    @Test
    void theCustomerReceivesTheUrlAndTheirCredentialsAndNoOtherSecret() throws Exception {
        int port = freePort();
        startSmtp(port);
        startBerth(port);
        Tenant t = h.tenant();
        Instance i = h.awaitState(h.provision(t, "demo").id(), InstanceState.ACTIVE);

        assertThat(smtp.waitForIncomingEmail(20_000, 1)).isTrue();
        MimeMessage m = smtp.getReceivedMessages()[0];
        assertThat(((InternetAddress) m.getAllRecipients()[0]).getAddress()).isEqualTo(t.email());
        assertThat(((InternetAddress) m.getReplyTo()[0]).getAddress()).isEqualTo("support@acme.example");
        String whole = GreenMailUtil.getWholeMessage(m);
        Map<String, SecretValue> secrets = h.berth.instances().credentials(i.id());
        assertThat(m.getSubject()).contains(i.url());
        assertThat(whole).contains(i.url(), "ADMIN_PASSWORD", secrets.get("ADMIN_PASSWORD").reveal(), "change the password");
        assertThat(whole).doesNotContain(secrets.get("DB_PASSWORD").reveal()).doesNotContain("DB_PASSWORD");
        assertThat(smtp.getReceivedMessages()).hasSize(1);
    }

    @Test
    void whileSmtpIsDownTheInstanceIsActiveAndTheMailGoesOutOnceSmtpIsBack() throws Exception {
        int port = freePort(); // nothing listens here yet
        startBerth(port);
        Tenant t = h.tenant();
        Instance i = h.awaitState(h.provision(t, "demo").id(), InstanceState.ACTIVE);

        // the failure is visible in the history, the instance is untouched
        await(() -> message(i).attempts() >= 2 && message(i).lastError() != null);
        Operation pending = message(i);
        assertThat(pending.status()).isEqualTo(OperationStatus.IN_PROGRESS);
        assertThat(pending.lastError()).contains("127.0.0.1:" + port);
        assertThat(h.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(h.berth.operations().forInstance(i.id()).get(0).status()).isEqualTo(OperationStatus.SUCCEEDED);

        startSmtp(port);
        assertThat(smtp.waitForIncomingEmail(30_000, 1)).isTrue();
        await(() -> message(i).status() == OperationStatus.SUCCEEDED);
        assertThat(GreenMailUtil.getWholeMessage(smtp.getReceivedMessages()[0]))
                .contains(i.url(), h.berth.instances().credentials(i.id()).get("ADMIN_PASSWORD").reveal());
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        assertThat(h.berth.instances().get(i.id()).state()).isEqualTo(InstanceState.ACTIVE);
    }

    private Operation message(Instance i) {
        return h.berth.operations().forInstance(i.id()).stream().filter(o -> o.type() == OperationType.NOTIFY)
                .findFirst().orElseThrow();
    }
}
