package dev.berth.examples.server;

import dev.berth.core.store.Database;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.examples.server.auth.ApiKeyStore;
import dev.berth.examples.server.auth.Scope;
import dev.berth.spi.error.NotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The production database switch: the server on PostgreSQL ({@code BERTH_TEST_POSTGRES_URL/_USER/_PASSWORD}, set by
 * test.sh), in a schema of its own that is dropped and recreated first. Fails, never skips, without PostgreSQL.
 */
class ServerPostgresIT {

    private static final String SCHEMA = "berth_server_it";

    @TempDir
    Path dataDir;

    @Test
    void the_server_runs_on_postgresql_and_survives_a_restart() throws Exception {
        String url = System.getenv("BERTH_TEST_POSTGRES_URL");
        assertThat(url).as("BERTH_TEST_POSTGRES_URL (test.sh sets it)").isNotBlank();
        String user = System.getenv().getOrDefault("BERTH_TEST_POSTGRES_USER", "berth");
        String password = System.getenv().getOrDefault("BERTH_TEST_POSTGRES_PASSWORD", "berth");
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
            s.execute("create schema " + SCHEMA);
        }
        String schemaUrl = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA;
        RestartScenario.run(TestServers.memoryEnv(dataDir, Map.of("BERTH_DATABASE_URL", schemaUrl,
                "BERTH_DATABASE_USER", user, "BERTH_DATABASE_PASSWORD", password)));
        try (Connection c = DriverManager.getConnection(schemaUrl, user, password); Statement s = c.createStatement();
             var rs = s.executeQuery("select scope, tenant_id is not null from berth_server_api_keys order by scope")) {
            // the admin key of the first start and the tenant key, with its binding, on PostgreSQL
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("ADMIN");
            assertThat(rs.getBoolean(2)).isFalse();
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("TENANT");
            assertThat(rs.getBoolean(2)).isTrue();
            assertThat(rs.next()).isFalse();
        }
        // PostgreSQL's foreign key refuses a key for a tenant that does not exist (a delete racing the route's check)
        try (Database db = Database.open(new DatabaseSettings(schemaUrl, user, password, 2))) {
            ApiKeyStore keys = new ApiKeyStore(db, Clock.systemUTC());
            assertThatThrownBy(() -> keys.issue("late", Scope.TENANT, UUID.randomUUID().toString())).isInstanceOf(NotFoundException.class);
            assertThat(keys.list()).hasSize(2);
        }
    }
}
