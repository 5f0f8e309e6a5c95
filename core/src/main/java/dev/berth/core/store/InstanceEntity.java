package dev.berth.core.store;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;
import java.util.Map;

/**
 * Row of {@code instances}. Optimistically locked: two writers that read the same version cannot both commit,
 * which is what keeps "one in-flight operation per instance" true across Berth processes.
 */
@Entity
@Table(name = "instances")
public class InstanceEntity {
    @Id
    public String id;
    @Column(name = "tenant_id")
    public String tenantId;
    @Column(name = "app_id")
    public String appId;
    @Column(name = "app_version")
    public String appVersion;
    @Column(name = "plan_id")
    public String planId;
    public String slug;
    public String hostname;
    @Column(name = "node_id")
    public String nodeId;
    public String state;
    @Column(name = "state_reason")
    public String stateReason;
    @Column(name = "suspension_reason")
    public String suspensionReason;
    public String entitlement;
    @Column(name = "entitlement_at")
    public Instant entitlementAt;
    @Column(name = "idempotency_key")
    public String idempotencyKey;
    @Column(name = "active_operation")
    public String activeOperation;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Convert(converter = JsonMapConverter.class)
    @Column(name = "required_labels")
    public Map<String, String> requiredLabels = new java.util.TreeMap<>();
    @Column(name = "target_node_id")
    public String targetNodeId;
    @Version
    public long version;
}
