package dev.berth.stripe.store;

import dev.berth.spi.error.UnavailableException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The few JDBC calls the module's tables need (short statements on Berth's pool; no ORM for three tables).
 * A database failure becomes a retryable {@link UnavailableException}, except unique violations, which callers
 * test with {@code Database.isUniqueViolation}.
 */
final class Jdbc {

    /** Maps one row. */
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private final DataSource dataSource;

    Jdbc(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    int update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Runs {@code work} on one connection in one transaction and commits; anything thrown rolls it all back. */
    void transaction(java.util.function.Consumer<Connection> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                work.accept(c);
                c.commit();
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** An update on a connection the caller manages (inside {@link #transaction}). */
    static int update(Connection c, String sql, Object... args) {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    <T> List<T> query(String sql, Row<T> row, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, args);
             ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) out.add(row.map(rs));
            return out;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int k = 0; k < args.length; k++) {
            Object a = args[k];
            // timestamps travel as UTC instants; both H2 and PostgreSQL map Timestamp to "timestamp with time zone"
            ps.setObject(k + 1, a instanceof Instant i ? Timestamp.from(i) : a);
        }
        return ps;
    }

    private static RuntimeException failure(SQLException e) {
        if ("23505".equals(e.getSQLState()) || e.getCause() instanceof SQLException c && "23505".equals(c.getSQLState())) {
            return new DuplicateKeyException(e);
        }
        return new UnavailableException("database error in the Stripe module: " + e.getMessage(), e);
    }

    /** A unique-key violation: the row already exists. */
    static final class DuplicateKeyException extends RuntimeException {
        DuplicateKeyException(SQLException cause) {
            super("duplicate key", cause);
        }
    }
}
