package dev.berth.core.lifecycle.journal;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V3 moves the old comma-separated completed_steps into the step journal, so an operation in flight during the
 * upgrade resumes at the same step.
 */
class StepJournalMigrationTest {

    @Test
    void completedStepsOfExistingOperationsBecomeJournalRowsInTheirOrder() throws SQLException {
        String url = "jdbc:h2:mem:journal-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        flyway(url, "2.3").migrate();
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("insert into tenants values ('t', 'ext', 't@example.com', 'T', 'ACTIVE', current_timestamp)");
            s.execute("insert into plans (id, name, cpu_request_millis, cpu_limit_millis, memory_request_bytes,"
                    + " memory_limit_bytes, disk_bytes, backup_retention_seconds, isolation, grace_period_seconds,"
                    + " retention_seconds, price_ids, version) values ('p', 'P', 1, 1, 1, 1, 1, 1, 'SHARED', 1, 1, '[]', 0)");
            s.execute("insert into instances (id, tenant_id, app_id, app_version, plan_id, slug, hostname, state,"
                    + " entitlement, entitlement_at, created_at, updated_at, version) values ('i', 't', 'ghost', '5',"
                    + " 'p', 's', 's.example.com', 'PROVISIONING', 'ACTIVE', current_timestamp, current_timestamp, current_timestamp, 0)");
            operation(s, "in-flight", "READY", "PLACE,SECRETS,DNS,RUNTIME");
            operation(s, "fresh", null, "");
            operation(s, "finished", "FINALIZE", "RUNTIME,FINALIZE");
        }

        flyway(url, "latest").migrate();

        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            assertThat(steps(c, "in-flight", true)).containsExactly("PLACE", "SECRETS", "DNS", "RUNTIME");
            assertThat(steps(c, "in-flight", false)).containsExactly("PLACE", "SECRETS", "DNS", "RUNTIME", "READY");
            assertThat(steps(c, "fresh", false)).isEmpty();
            assertThat(steps(c, "finished", true)).containsExactly("RUNTIME", "FINALIZE");
        }
    }

    private static void operation(Statement s, String id, String step, String completed) throws SQLException {
        s.execute("insert into operations (id, instance_id, type, status, step, completed_steps, attempts, params,"
                + " created_at, updated_at, version) values ('" + id + "', 'i', 'PROVISION', 'IN_PROGRESS', "
                + (step == null ? "null" : "'" + step + "'") + ", '" + completed + "', 1, '{}', current_timestamp,"
                + " current_timestamp, 0)");
    }

    private static List<String> steps(Connection c, String operationId, boolean completedOnly) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select step from operation_steps where operation_id = '"
                + operationId + "'" + (completedOnly ? " and completed_at is not null" : "") + " order by seq")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    private static Flyway flyway(String url, String target) {
        return Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration/berth")
                .placeholders(Map.of("blob_type", "varbinary(1048576)")).target(target).load();
    }
}
