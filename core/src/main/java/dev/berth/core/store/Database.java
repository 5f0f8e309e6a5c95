package dev.berth.core.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.UnavailableException;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceException;
import org.flywaydb.core.Flyway;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Berth's database: a pooled data source, the schema migrated by Flyway (never by Hibernate), and a JPA
 * entity manager factory over it. {@link #inTransaction(Function)} is the only way the engine writes.
 */
public final class Database implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource dataSource;
    private final EntityManagerFactory emf;
    private final boolean postgres;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.postgres = isPostgres(dataSource);
        migrate();
        this.emf = new HibernatePersistenceConfiguration("berth")
                .managedClasses(TenantEntity.class, PlanEntity.class, NodeEntity.class, InstanceEntity.class,
                        InstanceSecretEntity.class, OperationEntity.class, OperationStepEntity.class,
                        BillingEventEntity.class, NodeUsageEntity.class)
                .property("jakarta.persistence.nonJtaDataSource", dataSource)
                // Flyway owns the schema; Hibernate only checks that entities and tables agree
                .property("hibernate.hbm2ddl.auto", "validate")
                .property("hibernate.jdbc.time_zone", "UTC")
                .createEntityManagerFactory();
    }

    /** Opens a pool on {@code settings}, migrates the schema and starts JPA. */
    public static Database open(DatabaseSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.jdbcUrl());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.maxPool());
        config.setPoolName("berth");
        try {
            return new Database(new HikariDataSource(config));
        } catch (com.zaxxer.hikari.pool.HikariPool.PoolInitializationException e) {
            throw new UnavailableException("database " + settings.jdbcUrl() + " is unreachable: " + e.getMessage(), e);
        }
    }

    private static boolean isPostgres(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            return c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
        } catch (SQLException e) {
            throw new UnavailableException("database is unreachable: " + e.getMessage(), e);
        }
    }

    private void migrate() {
        var result = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration/berth")
                .placeholders(Map.of("blob_type", postgres ? "bytea" : "varbinary(1048576)"))
                .load()
                .migrate();
        log.info("database schema at version {} ({} migrations applied)", result.targetSchemaVersion, result.migrationsExecuted);
    }

    /** The pooled data source (db-scheduler shares it). */
    public DataSource dataSource() {
        return dataSource;
    }

    /** True on PostgreSQL, false on H2. */
    public boolean postgres() {
        return postgres;
    }

    /**
     * Runs {@code work} in one transaction and commits it. An optimistic-lock failure becomes a retryable
     * {@link ConflictException}; any exception rolls everything back, so a rejected command changes nothing.
     */
    public <T> T inTransaction(Function<EntityManager, T> work) {
        EntityManager em = emf.createEntityManager();
        EntityTransaction tx = em.getTransaction();
        try {
            tx.begin();
            T result = work.apply(em);
            tx.commit();
            return result;
        } catch (OptimisticLockException e) {
            throw new ConflictException("concurrent update, try again", e);
        } catch (PersistenceException e) {
            if (e.getCause() instanceof OptimisticLockException || e instanceof jakarta.persistence.RollbackException
                    && e.getCause() instanceof OptimisticLockException) {
                throw new ConflictException("concurrent update, try again", e);
            }
            throw e;
        } finally {
            if (tx.isActive()) {
                tx.rollback();
            }
            em.close();
        }
    }

    /** As {@link #inTransaction(Function)} without a result. */
    public void run(Consumer<EntityManager> work) {
        inTransaction(em -> {
            work.accept(em);
            return null;
        });
    }

    /** Runs a query; a transaction of its own, so reads see one consistent snapshot. */
    public <T> T read(Function<EntityManager, T> work) {
        return inTransaction(work);
    }

    @Override
    public void close() {
        try {
            emf.close();
        } finally {
            dataSource.close();
        }
    }

    /** True when {@code e} (or a cause) is a unique-constraint violation. */
    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.hibernate.exception.ConstraintViolationException) {
                return true;
            }
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true; // both H2 and PostgreSQL use SQLSTATE 23505 for unique violations
            }
        }
        return false;
    }

}
