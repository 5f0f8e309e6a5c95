package dev.berth.examples.server.config;

import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void defaults_run_on_a_fresh_machine_h2_in_data_local_docker_and_three_growing_plans() {
        ServerConfig c = ConfigLoader.load(null, Map.of());
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.dataDir()).isEqualTo("./data");
        assertThat(c.database().url()).isNull();
        assertThat(c.providers()).containsOnlyKeys("docker");
        assertThat(c.nodes()).singleElement().satisfies(n -> {
            assertThat(n.id()).isEqualTo("local");
            assertThat(n.provider()).isEqualTo("docker");
            assertThat(n.cpuMillis()).as("read from the engine").isNull();
        });
        assertThat(c.plans()).extracting(p -> p.id()).containsExactly("basic", "pro", "enterprise");
        for (int i = 1; i < 3; i++) {
            var smaller = c.plans().get(i - 1);
            var bigger = c.plans().get(i);
            assertThat(bigger.resources().cpuLimitMillis()).isGreaterThan(smaller.resources().cpuLimitMillis());
            assertThat(bigger.resources().memoryLimitBytes()).isGreaterThan(smaller.resources().memoryLimitBytes());
            assertThat(bigger.resources().diskBytes()).isGreaterThan(smaller.resources().diskBytes());
            assertThat(bigger.backupPolicy().interval()).isLessThan(smaller.backupPolicy().interval());
        }
    }

    @Test
    void the_file_overrides_defaults_and_the_environment_overrides_the_file() throws IOException {
        Path file = dir.resolve("berth.yaml");
        Files.writeString(file, """
                http:
                  port: 9000
                database:
                  url: jdbc:postgresql://db:5432/berth
                  user: berth
                providers:
                  memory: {}
                engine:
                  baseDomain: apps.example.com
                """);
        ServerConfig c = ConfigLoader.load(file, Map.of("BERTH_HTTP_PORT", "9100", "BERTH_DATABASE_PASSWORD", "s3cret",
                "BERTH_ENGINE_POLL_INTERVAL", "PT3S", "BERTH_NODES", "[{\"id\":\"a\",\"provider\":\"memory\",\"cpuMillis\":1000}]"));
        assertThat(c.http().port()).isEqualTo(9100);
        assertThat(c.http().maxBodyBytes()).as("default kept").isEqualTo(65536);
        assertThat(c.database().url()).isEqualTo("jdbc:postgresql://db:5432/berth");
        assertThat(c.database().password()).isEqualTo("s3cret");
        assertThat(c.database().toString()).doesNotContain("s3cret");
        assertThat(c.providers()).as("the operator's providers replace the default ones").containsOnlyKeys("memory");
        assertThat(c.engine().baseDomain()).isEqualTo("apps.example.com");
        assertThat(c.engine().pollInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.nodes()).singleElement().satisfies(n -> assertThat(n.cpuMillis()).isEqualTo(1000));
    }

    @Test
    void env_names_follow_the_key_path() {
        assertThat(ConfigLoader.envName("http.maxBodyBytes")).isEqualTo("BERTH_HTTP_MAX_BODY_BYTES");
        assertThat(ConfigLoader.envName("http.rateLimit.requestsPerMinute")).isEqualTo("BERTH_HTTP_RATE_LIMIT_REQUESTS_PER_MINUTE");
        assertThat(ConfigLoader.envName("dataDir")).isEqualTo("BERTH_DATA_DIR");
    }

    @Test
    void a_misspelt_key_is_an_error_naming_it() throws IOException {
        Path file = dir.resolve("berth.yaml");
        Files.writeString(file, "http:\n  prot: 9000\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("http.prot"));
    }

    @Test
    void a_wrong_integration_setting_names_its_key() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("BERTH_SMTP", "{\"host\": \"smtp.example.com\", \"port\": 587, \"from\": \"nobody\"}")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("smtp.from"));
    }

    @Test
    void wrong_values_name_their_key() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("BERTH_HTTP_PORT", "eighty")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("http.port"));
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("BERTH_HTTP_RATE_LIMIT_BURST", "0")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("http.rateLimit.burst"));
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("BERTH_NODES", "[{")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("BERTH_NODES"));
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("BERTH_PLANS",
                "[{\"id\":\"x\",\"name\":\"X\",\"resources\":{\"cpuRequestMillis\":2,\"cpuLimitMillis\":1,"
                        + "\"memoryRequestBytes\":67108864,\"memoryLimitBytes\":67108864,\"diskBytes\":1}}]")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("plans[0].resources.cpuRequestMillis"));
    }

    @Test
    void production_switches_come_from_the_environment_and_secrets_stay_masked() {
        ServerConfig c = ConfigLoader.load(null, Map.of("BERTH_DATABASE_URL", "jdbc:postgresql://db/berth",
                "BERTH_DNS", "{\"apiToken\": \"cf-token-123\", \"zoneId\": \"abc123\"}",
                "BERTH_SMTP", "{\"host\": \"smtp.example.com\", \"port\": 587, \"username\": \"berth\", \"password\": \"smtp-pw-456\", \"from\": \"Acme <noreply@acme.example>\"}",
                "BERTH_NOTIFICATIONS_OPERATOR_EMAIL", "ops@example.com",
                "BERTH_PROVIDERS", "{\"docker\": {\"hosts\": \"a=unix:///var/run/docker.sock,b=tcp://10.0.0.2:2376\"}}"));
        assertThat(c.database().url()).isEqualTo("jdbc:postgresql://db/berth");
        assertThat(c.dns().apiToken().reveal()).isEqualTo("cf-token-123");
        assertThat(c.dns().zoneId()).isEqualTo("abc123");
        assertThat(c.smtp().host()).isEqualTo("smtp.example.com");
        assertThat(c.toString()).doesNotContain("cf-token-123").doesNotContain("smtp-pw-456");
        assertThat(c.notifications().operatorEmail()).isEqualTo("ops@example.com");
        assertThat(c.providers().get("docker")).containsEntry("hosts", "a=unix:///var/run/docker.sock,b=tcp://10.0.0.2:2376");
    }

    @Test
    void the_metrics_token_comes_from_the_environment_stays_masked_and_must_not_be_trivial() {
        assertThat(ConfigLoader.load(null, Map.of()).metrics().protectedByToken()).as("open by default").isFalse();
        String token = "scrape-" + "s3cr3t".repeat(4);
        ServerConfig c = ConfigLoader.load(null, Map.of(ConfigLoader.envName("metrics.token"), token));
        assertThat(ConfigLoader.envName("metrics.token")).isEqualTo("BERTH_METRICS_TOKEN");
        assertThat(c.metrics().token().reveal()).isEqualTo(token);
        assertThat(c.toString()).doesNotContain(token).contains("MetricsConfig[token=****]");
        assertThat(ConfigLoader.load(null, Map.of("BERTH_METRICS_TOKEN", "")).metrics().protectedByToken())
                .as("an empty variable leaves it unset").isFalse();
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("BERTH_METRICS_TOKEN", "short")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("metrics.token");
                    assertThat(e.getMessage()).doesNotContain("short");
                });
    }
}
