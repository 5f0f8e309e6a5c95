package dev.berth.core.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;

/**
 * Row of {@code operation_steps}: one step of an operation, started and (once recorded) completed. Internal:
 * callers see the completed step names on {@link dev.berth.core.operation.Operation}.
 */
@Entity
@Table(name = "operation_steps")
@IdClass(OperationStepEntity.Key.class)
public class OperationStepEntity {
    @Id
    @Column(name = "operation_id")
    public String operationId;
    @Id
    public String step;
    /** Position among the operation's steps, in the order they started. */
    public int seq;
    @Column(name = "started_at")
    public Instant startedAt;
    /** Null while the step's completion is not recorded (it runs, or runs again, on the next attempt). */
    @Column(name = "completed_at")
    public Instant completedAt;

    /** Composite key. */
    public record Key(String operationId, String step) implements Serializable { }
}
