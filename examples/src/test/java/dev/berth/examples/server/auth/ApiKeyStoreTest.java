package dev.berth.examples.server.auth;

import dev.berth.core.store.Database;
import dev.berth.core.store.DatabaseSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.ResultSet;
import java.time.Clock;
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
}
