package dev.berth.core.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;

/** Row of {@code node_usage}: one usage sample of a node. Internal: callers see {@link dev.berth.core.node.NodeUsage}. */
@Entity
@Table(name = "node_usage")
@IdClass(NodeUsageEntity.Key.class)
public class NodeUsageEntity {
    @Id
    @Column(name = "node_id")
    public String nodeId;
    @Id
    @Column(name = "observed_at")
    public Instant observedAt;
    public boolean healthy;
    @Column(name = "cpu_used_millis")
    public long cpuUsedMillis;
    @Column(name = "memory_used_bytes")
    public long memoryUsedBytes;
    @Column(name = "disk_used_bytes")
    public long diskUsedBytes;
    @Column(name = "instance_count")
    public int instanceCount;

    /** Composite key. */
    public record Key(String nodeId, Instant observedAt) implements Serializable { }
}
