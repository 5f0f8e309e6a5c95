package dev.berth.core.notify.smtp;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.notify.Notification;
import jakarta.mail.BodyPart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SmtpNotifierTest {

    @RegisterExtension
    static final GreenMailExtension mail = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("berth", "smtp-pass-123"));

    @TempDir
    Path templates;

    private static final String ADMIN_PASSWORD = "Xy7-initial-admin-pw";

    private static SmtpSettings settings() {
        return SmtpSettings.of("127.0.0.1", mail.getSmtp().getPort(), "Acme Hosting <noreply@acme.example>")
                .withSecurity(SmtpSettings.Security.NONE)
                .withLogin("berth", SecretValue.of("smtp-pass-123"))
                .withReplyTo("support@acme.example");
    }

    static Notification ready() {
        return new Notification(Notification.Type.INSTANCE_READY, "customer@example.com", "inst-1",
                Map.of("url", "https://cli123.n8n.example.com", "hostname", "cli123.n8n.example.com", "app", "Demo",
                        "tenantName", "Ada <Lovelace>", "instanceId", "inst-1"),
                Map.of("ADMIN_PASSWORD", SecretValue.of(ADMIN_PASSWORD)));
    }

    @Test
    void theReadyMessageCarriesUrlCredentialsAndAdviceInTextAndHtml() throws Exception {
        new SmtpNotifier(settings()).send(ready());

        assertThat(mail.waitForIncomingEmail(5000, 1)).isTrue();
        MimeMessage m = mail.getReceivedMessages()[0];
        assertThat(((InternetAddress) m.getFrom()[0]).getAddress()).isEqualTo("noreply@acme.example");
        assertThat(((InternetAddress) m.getFrom()[0]).getPersonal()).isEqualTo("Acme Hosting");
        assertThat(((InternetAddress) m.getReplyTo()[0]).getAddress()).isEqualTo("support@acme.example");
        assertThat(((InternetAddress) m.getAllRecipients()[0]).getAddress()).isEqualTo("customer@example.com");
        assertThat(m.getSubject()).isEqualTo("Your Demo is ready: https://cli123.n8n.example.com");

        MimeMultipart parts = (MimeMultipart) m.getContent();
        assertThat(parts.getContentType()).startsWith("multipart/alternative");
        assertThat(parts.getCount()).isEqualTo(2);
        String text = part(parts, "text/plain");
        String html = part(parts, "text/html");
        for (String body : new String[] {text, html}) {
            assertThat(body).contains("https://cli123.n8n.example.com", "ADMIN_PASSWORD", ADMIN_PASSWORD)
                    .contains("change the password");
        }
        // values are escaped in HTML and left alone in plain text
        assertThat(html).contains("Ada &lt;Lovelace&gt;").doesNotContain("Ada <Lovelace>");
        assertThat(text).contains("Ada <Lovelace>");
        // the SMTP login is not in the message
        assertThat(GreenMailUtil.getWholeMessage(m)).doesNotContain("smtp-pass-123");
    }

    @Test
    void everyMessageTypeRendersFromTheBuiltInTemplates() throws Exception {
        var notifier = new SmtpNotifier(settings());
        var types = EnumSet.allOf(Notification.Type.class);
        for (Notification.Type t : types) {
            notifier.send(new Notification(t, "someone@example.com", "inst-1",
                    Map.of("url", "https://x.example.com", "hostname", "x.example.com", "app", "Demo",
                            "terminationDate", "2026-04-01", "error", "disk full", "operationType", "BACKUP"), Map.of()));
        }
        assertThat(mail.waitForIncomingEmail(5000, types.size())).isTrue();
        for (MimeMessage m : mail.getReceivedMessages()) {
            assertThat(m.getSubject()).isNotBlank().doesNotContain("{{");
            String whole = GreenMailUtil.getWholeMessage(m);
            assertThat(whole).doesNotContain("{{").contains("x.example.com");
        }
        var subjects = java.util.Arrays.stream(mail.getReceivedMessages()).map(m -> {
            try {
                return m.getSubject();
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertThat(subjects).anySatisfy(s -> assertThat(s).contains("will be deleted on 2026-04-01"))
                .anySatisfy(s -> assertThat(s).startsWith("[Berth] Backup failed"));
    }

    @Test
    void anOperatorTemplateReplacesTheBuiltInOneOfTheSameName() throws Exception {
        Files.writeString(templates.resolve("instance-ready.subject.mustache"), "Welcome aboard, {{tenantName}}");
        new SmtpNotifier(settings().withTemplateDirectory(templates)).send(ready());
        assertThat(mail.waitForIncomingEmail(5000, 1)).isTrue();
        MimeMessage m = mail.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("Welcome aboard, Ada <Lovelace>");
        // the body still comes from the built-in template
        assertThat(part((MimeMultipart) m.getContent(), "text/plain")).contains("https://cli123.n8n.example.com");
    }

    @Test
    void aBrokenOperatorTemplateIsAConfigurationError() throws IOException {
        Files.writeString(templates.resolve("instance-ready.txt.mustache"), "{{#credentials}} never closed");
        assertThatThrownBy(() -> new SmtpNotifier(settings().withTemplateDirectory(templates)).send(ready()))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("smtp.templateDirectory"));
    }

    @Test
    void refusedLoginIsAnAuthenticationErrorWithoutThePassword() {
        var wrong = settings().withLogin("berth", SecretValue.of("not-the-password"));
        assertThatThrownBy(() -> new SmtpNotifier(wrong).send(ready()))
                .isInstanceOfSatisfying(AuthenticationException.class, e -> assertThat(e.retryable()).isFalse())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-password").doesNotContain(ADMIN_PASSWORD));
        assertThat(wrong.toString()).doesNotContain("not-the-password");
    }

    @Test
    void aServerThatIsDownIsARetryableErrorWithoutSecrets() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        var down = SmtpSettings.of("127.0.0.1", closedPort, "noreply@acme.example").withSecurity(SmtpSettings.Security.NONE);
        assertThatThrownBy(() -> new SmtpNotifier(down).send(ready()))
                .isInstanceOfSatisfying(UnavailableException.class, e -> assertThat(e.retryable()).isTrue())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(ADMIN_PASSWORD));
    }

    @Test
    void badSettingsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> SmtpSettings.of("mail.example.com", 587, "not an address"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("smtp.from"));
        assertThatThrownBy(() -> SmtpSettings.of("mail.example.com", 0, "a@example.com"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("smtp.port"));
        assertThatThrownBy(() -> SmtpSettings.of("mail.example.com", 587, "a@example.com").withLogin("user", null))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("smtp.username"));
    }

    static String part(MimeMultipart parts, String type) throws Exception {
        for (int k = 0; k < parts.getCount(); k++) {
            BodyPart p = parts.getBodyPart(k);
            if (p.isMimeType(type)) return (String) p.getContent();
        }
        throw new AssertionError("no " + type + " part");
    }
}
