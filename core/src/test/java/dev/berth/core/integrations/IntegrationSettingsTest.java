package dev.berth.core.integrations;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.berth.core.dns.cloudflare.CloudflareSettings;
import dev.berth.core.notify.smtp.SmtpSettings;
import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A host can read the integration settings from its configuration file with Jackson. */
class IntegrationSettingsTest {

    private static final ObjectMapper YAML = YAMLMapper.builder().addModule(new JavaTimeModule()).build();

    @Test
    void aConfigurationFileMapsOntoTheSettingsAndSecretsStayMasked() throws Exception {
        IntegrationSettings s = YAML.readValue("""
                dns:
                  apiToken: cf-token-secret
                  zoneId: 023e105f4ecef8ad9ca31a8372d0c353
                  proxied: true
                  ttl: 1
                smtp:
                  host: smtp.example.com
                  port: 587
                  username: berth
                  password: smtp-password-secret
                  from: "Acme Hosting <noreply@acme.example>"
                  replyTo: support@acme.example
                  templateDirectory: /etc/berth/mail
                backups:
                  directory: /srv/berth-backups
                notifications:
                  operatorEmail: ops@acme.example
                  terminationWarning: P3D
                  maxAttempts: 50
                """, IntegrationSettings.class);

        assertThat(s.dns().apiToken().reveal()).isEqualTo("cf-token-secret");
        assertThat(s.dns().apiBase()).isEqualTo(CloudflareSettings.DEFAULT_API_BASE);
        assertThat(s.dns().proxied()).isTrue();
        assertThat(s.smtp().security()).isEqualTo(SmtpSettings.Security.STARTTLS);
        assertThat(s.smtp().templateDirectory()).isEqualTo(Path.of("/etc/berth/mail"));
        assertThat(s.backups().directory()).isEqualTo(Path.of("/srv/berth-backups"));
        assertThat(s.notifications().terminationWarning()).isEqualTo(Duration.ofDays(3));
        assertThat(s.toString()).doesNotContain("cf-token-secret").doesNotContain("smtp-password-secret");
    }

    @Test
    void anEmptyFileGivesTheDefaults() throws Exception {
        IntegrationSettings s = YAML.readValue("{}", IntegrationSettings.class);
        assertThat(s).isEqualTo(IntegrationSettings.defaults());
        assertThat(s.dns()).isNull();
        assertThat(s.smtp()).isNull();
        assertThat(s.notifications().maxAttempts()).isEqualTo(150);
    }

    @Test
    void leftOutNumbersTakeTheirDefaults() throws Exception {
        IntegrationSettings s = YAML.readValue("""
                dns: {apiToken: t, zoneId: z1}
                notifications: {operatorEmail: ops@acme.example}
                """, IntegrationSettings.class);
        assertThat(s.dns().ttl()).isEqualTo(1);
        assertThat(s.notifications().maxAttempts()).isEqualTo(150);
        assertThat(s.notifications().terminationWarning()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void aBadValueNamesItsField() {
        assertThatThrownBy(() -> YAML.readValue("smtp: {host: smtp.example.com, port: 587, from: nobody}", IntegrationSettings.class))
                .isInstanceOf(ValueInstantiationException.class)
                .hasCauseInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("smtp.from");
    }
}
