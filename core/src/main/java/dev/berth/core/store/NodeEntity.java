package dev.berth.core.store;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.util.Map;

/** Row of {@code nodes}. Internal to Berth: callers see {@link dev.berth.core.node.Node}. */
@Entity
@Table(name = "nodes")
public class NodeEntity {
    @Id
    public String id;
    @Column(name = "provider_kind")
    public String providerKind;
    public String target;
    @Convert(converter = JsonMapConverter.class)
    public Map<String, String> labels;
    @Column(name = "cpu_millis")
    public long cpuMillis;
    @Column(name = "memory_bytes")
    public long memoryBytes;
    @Column(name = "disk_bytes")
    public long diskBytes;
    @Column(name = "overcommit_cpu")
    public double overcommitCpu;
    @Column(name = "overcommit_memory")
    public double overcommitMemory;
    @Column(name = "overcommit_disk")
    public double overcommitDisk;
    @Column(name = "reserved_fraction")
    public double reservedFraction;
    @Column(name = "public_address")
    public String publicAddress;
    public String status;
    /** The node's API token, encrypted ({@link dev.berth.core.secret.SecretCipher}); never the plaintext. */
    public byte[] credential;
    @Column(name = "health_failures")
    public int healthFailures;
    @Column(name = "status_reason")
    public String statusReason;
    @Version
    public long version;
}
