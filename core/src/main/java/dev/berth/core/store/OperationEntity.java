package dev.berth.core.store;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;
import java.util.Map;

/** Row of {@code operations}: a durable lifecycle command and the step it is at; its steps are in {@code operation_steps}. */
@Entity
@Table(name = "operations")
public class OperationEntity {
    @Id
    public String id;
    @Column(name = "instance_id")
    public String instanceId;
    public String type;
    public String status;
    public String step;
    public int attempts;
    @Column(name = "last_error")
    public String lastError;
    @Convert(converter = JsonMapConverter.class)
    public Map<String, String> params;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
    /** When an operator asked to cancel the operation; null while nobody did. */
    @Column(name = "cancel_requested_at")
    public Instant cancelRequestedAt;
    @Version
    public long version;
}
