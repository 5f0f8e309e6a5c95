package dev.berth.core.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseTest {

    Database db;

    @BeforeEach
    void open() {
        db = Database.open(DatabaseSettings.h2Memory("dbtest-" + UUID.randomUUID()));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void migratesSchemaAndStoresEntities() {
        db.run(em -> em.persist(tenant("t1", "ext-1")));
        TenantEntity read = db.read(em -> em.find(TenantEntity.class, "t1"));
        assertThat(read.externalId).isEqualTo("ext-1");
        assertThat(db.postgres()).isFalse();
    }

    @Test
    void uniqueViolationIsRecognisedAndRolledBack() {
        db.run(em -> em.persist(tenant("t1", "ext-1")));
        assertThatThrownBy(() -> db.run(em -> {
            em.persist(tenant("t2", "ext-2"));
            em.persist(tenant("t3", "ext-1"));
            em.flush();
        })).satisfies(e -> assertThat(Database.isUniqueViolation(e)).isTrue());
        // the whole transaction was rolled back, t2 included
        TenantEntity gone = db.read(em -> em.find(TenantEntity.class, "t2"));
        assertThat(gone).isNull();
    }

    static TenantEntity tenant(String id, String externalId) {
        TenantEntity t = new TenantEntity();
        t.id = id;
        t.externalId = externalId;
        t.email = id + "@example.com";
        t.name = id;
        t.status = "ACTIVE";
        t.createdAt = Instant.parse("2026-01-01T00:00:00Z");
        return t;
    }
}
