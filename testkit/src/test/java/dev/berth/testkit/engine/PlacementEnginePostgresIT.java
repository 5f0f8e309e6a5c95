package dev.berth.testkit.engine;

import dev.berth.core.store.DatabaseSettings;

import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Placement and node management on PostgreSQL, where the node row locks (SELECT … FOR UPDATE) are what keeps
 * racing placements apart. Uses its own schema {@value #SCHEMA} in the test database, so it never touches the
 * schema other suites reset. Needs the server that {@code ./test.sh} starts; fails (never skips) without it.
 */
class PlacementEnginePostgresIT extends PlacementEngineContract {

    static final String SCHEMA = "berth_placement_it";

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
