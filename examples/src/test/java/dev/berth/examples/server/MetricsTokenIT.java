package dev.berth.examples.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.berth.examples.server.config.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /metrics} on a running server (random port): with {@code metrics.token} set only a request with the token
 * gets the metrics, and the token reaches no log line; without one it stays open and the start logs one warning.
 */
class MetricsTokenIT {

    @TempDir
    Path dataDir;
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void captureLogs() {
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void stopCapturing() {
        root.detachAppender(logs);
    }

    @Test
    void with_a_token_only_its_bearer_reads_the_metrics_and_no_log_line_shows_it() {
        String token = "prom-" + UUID.randomUUID();
        try (BerthServer server = TestServers.memory(dataDir, Map.of("BERTH_METRICS_TOKEN", token))) {
            ApiClient anonymous = new ApiClient(server.localUri(), null);
            for (ApiClient.Response refused : List.of(anonymous.get("/metrics"), anonymous.withKey(token + "x").get("/metrics"),
                    anonymous.withKey(token.substring(1)).get("/metrics"), TestServers.admin(server).get("/metrics"),
                    anonymous.send("GET", "/metrics", null, Map.of("Authorization", token)))) {
                assertThat(refused.status()).as(refused.text()).isEqualTo(401);
                assertThat(refused.contentType()).isEqualTo("application/problem+json");
                assertThat(refused.json().get("field").asText()).isEqualTo("Authorization");
                assertThat(refused.header("WWW-Authenticate")).startsWith("Bearer");
                assertThat(refused.text()).doesNotContain("berth_operations");
            }
            var scraped = anonymous.withKey(token).get("/metrics");
            assertThat(scraped.status()).isEqualTo(200);
            assertThat(scraped.text()).contains("berth_operations").contains("http_server_requests_seconds");
            // the scheme is case-insensitive (RFC 7235)
            assertThat(anonymous.send("GET", "/metrics", null, Map.of("Authorization", "bearer " + token)).status()).isEqualTo(200);
            assertThat(server.injector().getInstance(ServerConfig.class).toString()).doesNotContain(token);
        }
        assertThat(logs.list).as("log lines were captured").isNotEmpty();
        assertThat(logs.list).noneMatch(e -> e.getFormattedMessage().contains("/metrics is open"));
        for (ILoggingEvent e : logs.list) assertThat(text(e)).doesNotContain(token).doesNotContain(token.substring(5));
    }

    @Test
    void without_a_token_metrics_stay_open_and_the_start_warns_once() {
        try (BerthServer server = TestServers.memory(dataDir, Map.of())) {
            ApiClient anonymous = new ApiClient(server.localUri(), null);
            assertThat(anonymous.get("/metrics").status()).isEqualTo(200);
            assertThat(anonymous.get("/metrics").text()).contains("berth_operations");
        }
        List<ILoggingEvent> warnings = logs.list.stream().filter(e -> e.getFormattedMessage().contains("/metrics is open")).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getLevel().toString()).isEqualTo("WARN");
        assertThat(warnings.get(0).getFormattedMessage()).contains("BERTH_METRICS_TOKEN");
    }

    /** Everything an event could write: message, key/value pairs, exceptions. */
    private static String text(ILoggingEvent e) {
        StringBuilder b = new StringBuilder(e.getFormattedMessage());
        if (e.getKeyValuePairs() != null) e.getKeyValuePairs().forEach(kv -> b.append(' ').append(kv.key).append('=').append(kv.value));
        for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) b.append(' ').append(t.getMessage());
        return b.toString();
    }
}
