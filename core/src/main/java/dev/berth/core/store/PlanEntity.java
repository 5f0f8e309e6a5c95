package dev.berth.core.store;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.util.Map;

/** Row of {@code plans}. Internal to Berth: callers see {@link dev.berth.core.plan.Plan}. */
@Entity
@Table(name = "plans")
public class PlanEntity {
    @Id
    public String id;
    public String name;
    @Column(name = "cpu_request_millis")
    public long cpuRequestMillis;
    @Column(name = "cpu_limit_millis")
    public long cpuLimitMillis;
    @Column(name = "memory_request_bytes")
    public long memoryRequestBytes;
    @Column(name = "memory_limit_bytes")
    public long memoryLimitBytes;
    @Column(name = "disk_bytes")
    public long diskBytes;
    @Column(name = "backup_interval_seconds")
    public Long backupIntervalSeconds;
    @Column(name = "backup_retention_seconds")
    public long backupRetentionSeconds;
    public String isolation;
    @Column(name = "grace_period_seconds")
    public long gracePeriodSeconds;
    @Column(name = "retention_seconds")
    public long retentionSeconds;
    @Convert(converter = JsonMapConverter.class)
    @Column(name = "price_ids")
    public Map<String, String> priceIds;
    @Column(name = "placement_strategy")
    public String placementStrategy;
    @Column(name = "anti_affinity")
    public boolean antiAffinity;
    @Version
    public long version;
}
