package dev.berth.examples.server.auth;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import dev.berth.core.store.Database;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import org.flywaydb.core.Flyway;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * API keys, stored hashed in Berth's database. A key reads {@code berth_<id>_<secret>}: the id (12 hex digits)
 * finds the row, the SHA-256 of the whole key is compared with the stored one in constant time. The secret is
 * 256 random bits, so a plain SHA-256 is enough (no password stretching needed). Rows are cached for a few
 * seconds so that authentication does not cost a query per request; a key deleted in this process stops
 * working at once, in another process within {@link #CACHE_TTL_MILLIS}.
 */
@Singleton
public final class ApiKeyStore {

    static final long CACHE_TTL_MILLIS = 5_000;
    private static final Pattern FORMAT = Pattern.compile("berth_([0-9a-f]{12})_([A-Za-z0-9_-]{43})");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Hash compared when the id is unknown, so that unknown and wrong keys take the same time. */
    private static final byte[] DUMMY_HASH = new byte[32];
    private static final Set<String> FOREIGN_KEY_VIOLATION = Set.of("23503", "23506");

    private record Row(ApiKey key, byte[] hash, long loadedAt) { }

    private final DataSource dataSource;
    private final Clock clock;
    private final Map<String, Row> cache = new ConcurrentHashMap<>();

    @Inject
    public ApiKeyStore(Database db, Clock clock) {
        this.dataSource = db.dataSource();
        this.clock = clock;
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration/berth-server")
                .table("berth_server_schema_history")
                // core's history table lives in the same schema: start ours even though the schema is not empty
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate();
    }

    /** Issues a new admin or portal key. The returned secret is the only copy; only its hash is stored. */
    public IssuedKey issue(String name, Scope scope) {
        return issue(name, scope, null);
    }

    /**
     * Issues a new key; a {@link Scope#TENANT} key is bound to {@code tenantId}, the other scopes take none. The
     * returned secret is the only copy; only its hash is stored.
     *
     * @throws InvalidSpecException naming the field when the name, scope or tenant binding is wrong
     * @throws NotFoundException    when {@code tenantId} names no tenant (nothing is stored)
     */
    public IssuedKey issue(String name, Scope scope, String tenantId) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new InvalidSpecException("name", "must be 1-100 characters");
        }
        if (scope == null) throw new InvalidSpecException("scope", "is required (ADMIN, PORTAL or TENANT)");
        if (scope == Scope.TENANT && tenantId == null) throw new InvalidSpecException("tenantId", "is required for a TENANT key");
        if (scope != Scope.TENANT && tenantId != null) {
            throw new InvalidSpecException("tenantId", "only a TENANT key is bound to a tenant; leave it out for " + scope);
        }
        byte[] idBytes = new byte[6];
        byte[] secretBytes = new byte[32];
        RANDOM.nextBytes(idBytes);
        RANDOM.nextBytes(secretBytes);
        String id = HexFormat.of().formatHex(idBytes);
        String full = "berth_" + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        ApiKey key = new ApiKey(id, name, scope, tenantId, clock.instant());
        try {
            sql("insert into berth_server_api_keys (id, name, scope, tenant_id, key_hash, created_at) values (?, ?, ?, ?, ?, ?)", ps -> {
                ps.setString(1, id);
                ps.setString(2, name);
                ps.setString(3, scope.name());
                ps.setString(4, tenantId);
                ps.setString(5, HexFormat.of().formatHex(Digest.sha256(full)));
                ps.setTimestamp(6, Timestamp.from(key.createdAt()));
                ps.executeUpdate();
                return null;
            });
        } catch (UnavailableException e) {
            // the foreign key refused the row (23503 PostgreSQL, 23506 H2): the tenant does not exist, or was deleted
            // between the caller's check and the insert
            if (tenantId != null && e.getCause() instanceof SQLException sql && FOREIGN_KEY_VIOLATION.contains(sql.getSQLState())) {
                throw new NotFoundException("tenant", tenantId);
            }
            throw e;
        }
        return new IssuedKey(key, SecretValue.of(full));
    }

    /** The key {@code presented} stands for, if it is one of ours. Never throws for malformed input. */
    public Optional<ApiKey> authenticate(String presented) {
        if (presented == null || presented.length() > 200) return Optional.empty();
        Matcher m = FORMAT.matcher(presented);
        byte[] hash = Digest.sha256(presented);
        Row row = m.matches() ? row(m.group(1)) : null;
        boolean equal = MessageDigest.isEqual(hash, row == null ? DUMMY_HASH : row.hash());
        return equal && row != null ? Optional.of(row.key()) : Optional.empty();
    }

    /** Every key, oldest first. */
    public List<ApiKey> list() {
        return sql("select id, name, scope, tenant_id, created_at from berth_server_api_keys order by created_at, id", ps -> {
            List<ApiKey> keys = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) keys.add(toKey(rs));
            }
            return keys;
        });
    }

    /** True when at least one admin key exists. */
    public boolean hasAdminKey() {
        return list().stream().anyMatch(k -> k.scope() == Scope.ADMIN);
    }

    /** Revokes a key. */
    public void delete(String id) {
        int deleted = sql("delete from berth_server_api_keys where id = ?", ps -> {
            ps.setString(1, id);
            return ps.executeUpdate();
        });
        cache.remove(id);
        if (deleted == 0) throw new NotFoundException("api key", id);
    }

    /**
     * Revokes every key bound to {@code tenantId} (its tenant was deleted); they stop working in this process at
     * once. Returns how many were revoked.
     */
    public int revokeTenant(String tenantId) {
        int deleted = sql("delete from berth_server_api_keys where tenant_id = ?", ps -> {
            ps.setString(1, tenantId);
            return ps.executeUpdate();
        });
        // also rows the database removed itself (the foreign key cascades when the tenant row goes)
        cache.values().removeIf(r -> tenantId.equals(r.key().tenantId()));
        return deleted;
    }

    private Row row(String id) {
        long now = System.currentTimeMillis();
        Row cached = cache.get(id);
        if (cached != null && now - cached.loadedAt() < CACHE_TTL_MILLIS) return cached;
        Row loaded = sql("select id, name, scope, tenant_id, created_at, key_hash from berth_server_api_keys where id = ?", ps -> {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Row(toKey(rs), HexFormat.of().parseHex(rs.getString("key_hash")), now) : null;
            }
        });
        if (loaded == null) cache.remove(id);
        else cache.put(id, loaded);
        return loaded;
    }

    private static ApiKey toKey(ResultSet rs) throws SQLException {
        return new ApiKey(rs.getString("id"), rs.getString("name"), Scope.valueOf(rs.getString("scope")), rs.getString("tenant_id"),
                rs.getTimestamp("created_at").toInstant());
    }

    private interface Statement<T> {
        T run(PreparedStatement ps) throws SQLException;
    }

    private <T> T sql(String sql, Statement<T> work) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            return work.run(ps);
        } catch (SQLException e) {
            throw new UnavailableException("api key store: " + e.getMessage(), e);
        }
    }
}
