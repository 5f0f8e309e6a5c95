package dev.berth.core.tenant;

import dev.berth.core.store.Database;
import dev.berth.core.store.TenantEntity;
import dev.berth.spi.error.AlreadyExistsException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;

import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/** Creates, reads, updates and deletes tenants. Obtained from {@code Berth.tenants()}. */
public final class TenantService {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private final Database db;
    private final Clock clock;

    public TenantService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Creates a tenant for the portal's customer {@code externalId}. Idempotent by external id: creating the
     * same external id again returns the existing tenant.
     *
     * @throws InvalidSpecException naming the field when the email or name is malformed
     */
    public Tenant create(String externalId, String email, String name) {
        validate(externalId, email, name);
        try {
            return db.inTransaction(em -> {
                TenantEntity e = new TenantEntity();
                e.id = UUID.randomUUID().toString();
                e.externalId = externalId;
                e.email = email;
                e.name = name;
                e.status = Tenant.TenantStatus.ACTIVE.name();
                e.createdAt = clock.instant();
                em.persist(e);
                em.flush();
                return toTenant(e);
            });
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                return findByExternalId(externalId).orElseThrow(() -> new AlreadyExistsException("tenant " + externalId + " already exists"));
            }
            throw e;
        }
    }

    /** @throws NotFoundException if there is no such tenant */
    public Tenant get(String id) {
        TenantEntity e = db.read(em -> em.find(TenantEntity.class, id));
        if (e == null) {
            throw new NotFoundException("tenant", id);
        }
        return toTenant(e);
    }

    public java.util.Optional<Tenant> findByExternalId(String externalId) {
        return db.read(em -> em.createQuery("select t from TenantEntity t where t.externalId = :x", TenantEntity.class)
                .setParameter("x", externalId).getResultStream().findFirst().map(TenantService::toTenant));
    }

    /** A page of tenants ordered by creation time. */
    public List<Tenant> list(int offset, int limit) {
        if (offset < 0) throw new InvalidSpecException("offset", "must not be negative");
        if (limit < 1 || limit > 500) throw new InvalidSpecException("limit", "must be between 1 and 500");
        return db.read(em -> em.createQuery("select t from TenantEntity t order by t.createdAt, t.id", TenantEntity.class)
                .setFirstResult(offset).setMaxResults(limit).getResultList().stream().map(TenantService::toTenant).toList());
    }

    /** Changes email and name. */
    public Tenant update(String id, String email, String name) {
        validate("unchanged", email, name);
        return db.inTransaction(em -> {
            TenantEntity e = em.find(TenantEntity.class, id);
            if (e == null) throw new NotFoundException("tenant", id);
            e.email = email;
            e.name = name;
            return toTenant(e);
        });
    }

    /**
     * Deletes a tenant. Refused while it has instances that are not terminated. The secrets of its terminated
     * instances are kept while any of their backups is retained (an n8n backup cannot be read without its
     * encryption key); the backup retention job deletes them with the last backup.
     */
    public void delete(String id) {
        db.run(em -> {
            TenantEntity e = em.find(TenantEntity.class, id);
            if (e == null) return; // idempotent
            long live = em.createQuery("select count(i) from InstanceEntity i where i.tenantId = :t and i.state <> 'TERMINATED'", Long.class)
                    .setParameter("t", id).getSingleResult();
            if (live > 0) {
                throw new ConflictException("tenant " + id + " still has " + live + " instance(s); terminate them first");
            }
            // terminated instances keep their history rows; the tenant is disabled rather than orphaning them
            long any = em.createQuery("select count(i) from InstanceEntity i where i.tenantId = :t", Long.class)
                    .setParameter("t", id).getSingleResult();
            if (any > 0) {
                e.status = Tenant.TenantStatus.DISABLED.name();
            } else {
                em.remove(e);
            }
        });
    }

    private static void validate(String externalId, String email, String name) {
        if (externalId == null || externalId.isBlank() || externalId.length() > 200) {
            throw new InvalidSpecException("externalId", "must be 1-200 characters");
        }
        if (email == null || email.length() > 320 || !EMAIL.matcher(email).matches()) {
            throw new InvalidSpecException("email", "is not an email address");
        }
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new InvalidSpecException("name", "must be 1-200 characters");
        }
    }

    static Tenant toTenant(TenantEntity e) {
        return new Tenant(e.id, e.externalId, e.email, e.name, Tenant.TenantStatus.valueOf(e.status), e.createdAt);
    }
}
