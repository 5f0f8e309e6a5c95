package dev.berth.examples.server;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every row of Berth's and the server's tables, as text, to prove that a rejected request changed nothing.
 * db-scheduler's own table is left out: its heartbeats change it all the time whatever the API does.
 */
final class DatabaseSnapshot {

    static final List<String> TABLES = List.of("tenants", "plans", "nodes", "instances", "instance_secrets", "operations",
            "billing_events", "berth_server_api_keys");

    private DatabaseSnapshot() {
    }

    static Map<String, List<String>> take(DataSource ds) {
        Map<String, List<String>> snapshot = new LinkedHashMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("select * from " + table)) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder();
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            row.append(md.getColumnName(i)).append('=').append(rs.getString(i)).append(';');
                        }
                        rows.add(row.toString());
                    }
                }
                rows.sort(null);
                snapshot.put(table, rows);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return snapshot;
    }

    /**
     * Waits until no operation is in progress (the provision's follow-ups, such as its ready message, are done), so
     * that only the requests under test could change anything.
     */
    static void awaitQuiet(DataSource ds) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(200)).until(() -> {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(*) from operations where status = 'IN_PROGRESS'")) {
                rs.next();
                return rs.getInt(1) == 0;
            }
        });
    }
}
