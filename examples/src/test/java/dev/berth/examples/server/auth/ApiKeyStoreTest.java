package dev.berth.examples.server.auth;

import dev.berth.core.store.Database;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.core.tenant.TenantService;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiKeyStoreTest {

    Database db;
    ApiKeyStore store;

    @BeforeEach
    void open() {
        db = Database.open(DatabaseSettings.h2Memory("keys-" + UUID.randomUUID()));
        store = new ApiKeyStore(db, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void only_the_hash_of_a_key_is_stored_and_the_key_authenticates() throws Exception {
        IssuedKey issued = store.issue("shop", Scope.PORTAL);
        String secret = issued.secret().reveal();
        assertThat(secret).matches("berth_[0-9a-f]{12}_[A-Za-z0-9_-]{43}");
        assertThat(issued.toString()).doesNotContain(secret.substring(19));
        try (var c = db.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery("select * from berth_server_api_keys")) {
            assertThat(rs.next()).isTrue();
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) row.append(rs.getString(i)).append('|');
            assertThat(row.toString()).doesNotContain(secret.substring(19)).contains(HexFormat.of().formatHex(Digest.sha256(secret)));
        }
        assertThat(store.authenticate(secret)).hasValueSatisfying(k -> {
            assertThat(k.scope()).isEqualTo(Scope.PORTAL);
            assertThat(k.name()).isEqualTo("shop");
        });
    }

    @Test
    void wrong_malformed_and_revoked_keys_do_not_authenticate() {
        String secret = store.issue("shop", Scope.ADMIN).secret().reveal();
        char last = secret.charAt(secret.length() - 1);
        assertThat(store.authenticate(secret.substring(0, secret.length() - 1) + (last == 'A' ? 'B' : 'A'))).isEmpty();
        assertThat(store.authenticate("berth_000000000000_" + secret.substring(19))).isEmpty();
        assertThat(store.authenticate("")).isEmpty();
        assertThat(store.authenticate(null)).isEmpty();
        assertThat(store.authenticate("x".repeat(10_000))).isEmpty();
        store.delete(secret.substring(6, 18));
        assertThat(store.authenticate(secret)).isEmpty();
        assertThatThrownBy(() -> store.delete(secret.substring(6, 18))).hasMessageContaining("not found");
    }

    @Test
    void the_admin_key_exists_once_issued() {
        assertThat(store.hasAdminKey()).isFalse();
        store.issue("portal", Scope.PORTAL);
        assertThat(store.hasAdminKey()).isFalse();
        store.issue("admin", Scope.ADMIN);
        assertThat(store.hasAdminKey()).isTrue();
    }

    @Test
    void a_tenant_key_keeps_its_tenant_and_only_tenant_keys_take_one() {
        String tenant = new TenantService(db, Clock.systemUTC()).create("cus_1", "a@example.com", "Ada").id();
        IssuedKey issued = store.issue("dashboard", Scope.TENANT, tenant);
        assertThat(store.authenticate(issued.secret().reveal())).hasValueSatisfying(k -> {
            assertThat(k.scope()).isEqualTo(Scope.TENANT);
            assertThat(k.tenantId()).isEqualTo(tenant);
            assertThat(k.tenantBound()).isTrue();
        });
        assertThat(store.list()).extracting(ApiKey::tenantId).containsExactly(tenant);
        assertThatThrownBy(() -> store.issue("d", Scope.TENANT, null))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("tenantId"));
        assertThatThrownBy(() -> store.issue("d", Scope.PORTAL, tenant))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("tenantId"));
        // the database itself refuses a key for a tenant that does not exist (a delete racing the route's check)
        assertThatThrownBy(() -> store.issue("d", Scope.TENANT, UUID.randomUUID().toString())).isInstanceOf(NotFoundException.class);
        assertThat(store.list()).hasSize(1);
    }

    @Test
    void a_tenant_removed_from_the_database_takes_its_keys_along() {
        TenantService tenants = new TenantService(db, Clock.systemUTC());
        String gone = tenants.create("cus_gone", "a@example.com", "Ada").id();
        String kept = tenants.create("cus_kept", "b@example.com", "Bea").id();
        String goneKey = store.issue("d", Scope.TENANT, gone).secret().reveal();
        String keptKey = store.issue("d", Scope.TENANT, kept).secret().reveal();
        assertThat(store.authenticate(goneKey)).isPresent(); // now cached
        tenants.delete(gone); // no instances: the row goes, the foreign key cascades
        assertThat(store.list()).extracting(ApiKey::tenantId).containsExactly(kept);
        assertThat(store.revokeTenant(gone)).as("already gone with the tenant row").isZero();
        assertThat(store.authenticate(goneKey)).as("evicted from the cache").isEmpty();
        assertThat(store.authenticate(keptKey)).isPresent();
    }

    @Test
    void keys_issued_before_tenant_binding_existed_stay_valid() throws Exception {
        // a database as the previous release left it: the key table at V1, one portal key in it
        Database old = Database.open(DatabaseSettings.h2Memory("keys-v1-" + UUID.randomUUID()));
        try {
            Flyway.configure().dataSource(old.dataSource()).locations("classpath:db/migration/berth-server")
                    .table("berth_server_schema_history").baselineOnMigrate(true).baselineVersion("0").target("1").load().migrate();
            String key = "berth_0123456789ab_" + "k".repeat(43);
            try (var c = old.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                    "insert into berth_server_api_keys (id, name, scope, key_hash, created_at) values (?, ?, ?, ?, ?)")) {
                ps.setString(1, "0123456789ab");
                ps.setString(2, "old portal");
                ps.setString(3, "PORTAL");
                ps.setString(4, HexFormat.of().formatHex(Digest.sha256(key)));
                ps.setTimestamp(5, Timestamp.from(Instant.parse("2026-01-01T00:00:00Z")));
                ps.executeUpdate();
            }
            ApiKeyStore upgraded = new ApiKeyStore(old, Clock.systemUTC()); // migrates to the current version
            assertThat(upgraded.authenticate(key)).hasValueSatisfying(k -> {
                assertThat(k.scope()).isEqualTo(Scope.PORTAL);
                assertThat(k.tenantId()).isNull();
                assertThat(k.name()).isEqualTo("old portal");
            });
        } finally {
            old.close();
        }
    }
}
