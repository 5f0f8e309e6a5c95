package dev.berth.core.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** Row of {@code billing_events}: a gateway event already applied (its id is unique, so replays are ignored). */
@Entity
@Table(name = "billing_events")
public class BillingEventEntity {
    @Id
    @Column(name = "event_id")
    public String eventId;
    @Column(name = "instance_id")
    public String instanceId;
    @Column(name = "applied_at")
    public Instant appliedAt;
}
