package dev.berth.core.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** Row of {@code tenants}. Internal to Berth: callers see {@link dev.berth.core.tenant.Tenant}. */
@Entity
@Table(name = "tenants")
public class TenantEntity {
    @Id
    public String id;
    @Column(name = "external_id")
    public String externalId;
    public String email;
    public String name;
    public String status;
    @Column(name = "created_at")
    public Instant createdAt;
}
