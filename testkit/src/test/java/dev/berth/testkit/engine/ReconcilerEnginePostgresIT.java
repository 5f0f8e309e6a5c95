package dev.berth.testkit.engine;

import dev.berth.core.store.DatabaseSettings;

import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The reconciler through the engine on PostgreSQL, in its own schema {@value #SCHEMA} so that it never touches the
 * schema other suites reset. Needs the server that {@code ./test.sh} starts; fails (never skips) without it.
 */
class ReconcilerEnginePostgresIT extends ReconcilerEngineContract {

    static final String SCHEMA = "berth_reconciler_it";

    @Override
    protected DatabaseSettings freshDatabase() {
        try (var c = DriverManager.getConnection(EnginePostgresIT.URL, EnginePostgresIT.USER, EnginePostgresIT.PASSWORD);
             var s = c.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
            s.execute("create schema " + SCHEMA);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + EnginePostgresIT.URL + " is required for this test (run ./test.sh): "
                    + e.getMessage(), e);
        }
        String url = EnginePostgresIT.URL + (EnginePostgresIT.URL.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA;
        return new DatabaseSettings(url, EnginePostgresIT.USER, EnginePostgresIT.PASSWORD, 10);
    }
}
