package dev.berth.testkit.engine;

import dev.berth.core.store.DatabaseSettings;

import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The engine contract on PostgreSQL. Needs the server that {@code ./test.sh} starts; when it is unreachable
 * the tests fail (they never skip), so CI cannot pass without PostgreSQL.
 */
class EnginePostgresIT extends EngineContract {

    static final String URL = env("BERTH_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/berth_test");
    static final String USER = env("BERTH_TEST_POSTGRES_USER", "berth");
    static final String PASSWORD = env("BERTH_TEST_POSTGRES_PASSWORD", "berth");

    @Override
    protected DatabaseSettings freshDatabase() {
        // every test starts from an empty schema, so no operation of an earlier test can be picked up
        try (var c = DriverManager.getConnection(URL, USER, PASSWORD); var s = c.createStatement()) {
            s.execute("drop schema if exists public cascade");
            s.execute("create schema public");
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + URL + " is required for this test (run ./test.sh): " + e.getMessage(), e);
        }
        return new DatabaseSettings(URL, USER, PASSWORD, 10);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
