package dev.berth.core.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;

/** Row of {@code instance_secrets}: one generated secret, encrypted with the operator's key. */
@Entity
@Table(name = "instance_secrets")
@IdClass(InstanceSecretEntity.Key.class)
public class InstanceSecretEntity {
    @Id
    @Column(name = "instance_id")
    public String instanceId;
    @Id
    public String name;
    public byte[] ciphertext;

    /** Composite key. */
    public record Key(String instanceId, String name) implements Serializable { }
}
