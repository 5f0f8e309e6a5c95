package dev.berth.testkit.memory;

import dev.berth.spi.dns.DnsProvider;
import dev.berth.spi.error.InvalidSpecException;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link DnsProvider} that keeps records in a map (host name → target). Injects faults per {@link Verb}
 * (see {@link FaultInjecting}); the subject passed to hooks is the host name. Thread-safe.
 */
public final class InMemoryDnsProvider extends FaultInjecting<InMemoryDnsProvider.Verb> implements DnsProvider {

    /** The DNS operations, for fault injection. */
    public enum Verb { UPSERT, DELETE }

    private final Map<String, String> records = new TreeMap<>(); // guarded by this
    private int changes; // guarded by this

    public InMemoryDnsProvider() {
        super(Verb.class);
    }

    @Override
    public void upsert(String hostname, String target) {
        if (hostname == null || hostname.isBlank()) {
            throw new InvalidSpecException("hostname", "must not be blank");
        }
        if (target == null || target.isBlank()) {
            throw new InvalidSpecException("target", "must not be blank");
        }
        run(Verb.UPSERT, hostname, () -> {
            synchronized (this) {
                if (!target.equals(records.put(hostname, target))) {
                    changes++;
                }
            }
        });
    }

    @Override
    public void delete(String hostname) {
        run(Verb.DELETE, hostname, () -> {
            synchronized (this) {
                if (records.remove(hostname) != null) {
                    changes++;
                }
            }
        });
    }

    /** A copy of all records, sorted by host name. */
    public synchronized Map<String, String> records() {
        return Collections.unmodifiableMap(new TreeMap<>(records));
    }

    /** The target of {@code hostname}, if it has a record. */
    public synchronized Optional<String> target(String hostname) {
        return Optional.ofNullable(records.get(hostname));
    }

    /** How many upserts and deletes actually changed a record (repeated identical calls do not count). */
    public synchronized int changes() {
        return changes;
    }
}
