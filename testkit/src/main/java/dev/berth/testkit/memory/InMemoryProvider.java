package dev.berth.testkit.memory;

import dev.berth.core.node.Capacity;
import dev.berth.spi.BackupSupport;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.LiveResizeSupport;
import dev.berth.spi.MigrationSupport;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.NodeRef;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InsufficientCapacityException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The reference {@link RuntimeProvider} (kind {@value #KIND}): instances are records in memory, their
 * persistent data (the "volumes") a string map per instance. It passes the provider TCK, offers backups,
 * migration and live resize, and lets tests inject faults per {@link Verb} (see {@link FaultInjecting}; the
 * subject passed to hooks is the instance id, null for {@link Verb#INVENTORY}, {@link Verb#NODES} and
 * {@link Verb#TEST_CONNECTION}).
 *
 * <p>Behaviour worth knowing in engine tests:
 * <ul>
 *   <li>Capacity is checked against the sum of CPU request, memory request and disk of every instance on a
 *       target, running or stopped (a stopped instance comes back), and exceeding it throws
 *       {@link InsufficientCapacityException}. An unknown target throws {@link InvalidSpecException}.</li>
 *   <li>{@code provision} of an existing id converges: it starts the instance and applies the request's
 *       limits, version and components, keeps its data and its target (moving is {@link #migrate}'s job),
 *       and creates nothing. {@link #resourcesCreated()} and {@link #createCount(String)} count real
 *       creations so a test can assert that no duplicate was made.</li>
 *   <li>{@code upgrade} applies the request's version, components and limits and keeps the data and the
 *       running/stopped state.</li>
 *   <li>{@code restore} verifies size and SHA-256 of the archive against the manifest and throws a
 *       non-retryable {@link BerthException} on a mismatch, leaving the data untouched.</li>
 * </ul>
 * Thread-safe; injected delays do not block calls for other instances.
 */
public final class InMemoryProvider extends FaultInjecting<InMemoryProvider.Verb>
        implements RuntimeProvider, BackupSupport, MigrationSupport, LiveResizeSupport {

    /** The provider kind. */
    public static final String KIND = "memory";
    /** The target of a provider made with {@link #InMemoryProvider()}. */
    public static final String DEFAULT_TARGET = "mem-1";
    /** 8000 millicores, 16 GiB memory, 200 GiB disk. */
    public static final Capacity DEFAULT_CAPACITY =
            new Capacity(8000, 16 * ResourceLimits.GIB, 200 * ResourceLimits.GIB);

    /** The provider's operations, for fault injection. */
    public enum Verb {
        PROVISION, SUSPEND, RESUME, CHANGE_PLAN, UPGRADE, STATUS, INVENTORY, TERMINATE, BACKUP, RESTORE, MIGRATE,
        /** {@link RuntimeProvider#nodes()}. */
        NODES,
        /** {@link RuntimeProvider#testConnection()}. */
        TEST_CONNECTION
    }

    private static final String ARCHIVE_MAGIC = "berth-memory-archive-v1";

    private final Map<String, Capacity> targets;
    private final Clock clock;
    private final boolean backups;
    private final boolean migration;
    private final boolean liveResize;
    private final int startingChecks;

    private final Object lock = new Object();
    private final Map<String, Held> instances = new LinkedHashMap<>(); // guarded by lock
    private final Map<String, Integer> creates = new HashMap<>();      // guarded by lock
    private int resourcesCreated;                                       // guarded by lock

    /** One target {@value #DEFAULT_TARGET} with {@link #DEFAULT_CAPACITY}. */
    public InMemoryProvider() {
        this(Map.of(DEFAULT_TARGET, DEFAULT_CAPACITY));
    }

    /** Targets (node names) with their capacity; all capabilities on; backups stamped by the UTC clock. */
    public InMemoryProvider(Map<String, Capacity> targets) {
        this(builder().targets(targets));
    }

    private InMemoryProvider(Builder b) {
        super(Verb.class);
        if (b.targets.isEmpty()) {
            throw new InvalidSpecException("targets", "at least one target is required");
        }
        this.targets = Collections.unmodifiableMap(new LinkedHashMap<>(b.targets));
        this.clock = b.clock;
        this.backups = b.backups;
        this.migration = b.migration;
        this.liveResize = b.liveResize;
        this.startingChecks = b.startingChecks;
    }

    /** A builder starting with no targets, all capabilities on and the UTC clock. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link InMemoryProvider}; lets a test turn capabilities off to exercise the engine's fallbacks. */
    public static final class Builder {
        private final Map<String, Capacity> targets = new LinkedHashMap<>();
        private Clock clock = Clock.systemUTC();
        private boolean backups = true;
        private boolean migration = true;
        private boolean liveResize = true;
        private int startingChecks;

        private Builder() {
        }

        /** Adds (or replaces) a target. */
        public Builder target(String name, Capacity capacity) {
            if (name == null || name.isBlank()) {
                throw new InvalidSpecException("target", "must not be blank");
            }
            targets.put(name, Objects.requireNonNull(capacity, "capacity"));
            return this;
        }

        /** Adds every target of the map. */
        public Builder targets(Map<String, Capacity> targets) {
            Objects.requireNonNull(targets, "targets").forEach(this::target);
            return this;
        }

        /** The clock that stamps backup manifests. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether {@link RuntimeProvider#backups()} is present. */
        public Builder backups(boolean on) {
            this.backups = on;
            return this;
        }

        /** Whether {@link RuntimeProvider#migration()} is present. */
        public Builder migration(boolean on) {
            this.migration = on;
            return this;
        }

        /** Whether {@link RuntimeProvider#liveResize()} is present. */
        public Builder liveResize(boolean on) {
            this.liveResize = on;
            return this;
        }

        /**
         * Makes the runtime start asynchronously, like a pod: a provision reports {@link RuntimeState#STARTING}, and
         * so do the next {@code checks} status calls of that instance, before it reports RUNNING. 0 (the default):
         * a provision returns a running instance.
         */
        public Builder startingChecks(int checks) {
            if (checks < 0) {
                throw new InvalidSpecException("startingChecks", "must not be negative");
            }
            this.startingChecks = checks;
            return this;
        }

        public InMemoryProvider build() {
            return new InMemoryProvider(this);
        }
    }

    // ---------------------------------------------------------------- RuntimeProvider

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public InstanceStatus provision(ProvisionRequest request) {
        Objects.requireNonNull(request, "request");
        validate(request);
        return call(Verb.PROVISION, request.instanceId(), () -> {
            synchronized (lock) {
                Held held = instances.get(request.instanceId());
                if (held != null) {
                    ensureFits(held.target, request.resources(), held.id);
                    held.apply(request);
                    held.state = RuntimeState.RUNNING;
                    return held.status();
                }
                String target = request.node().target();
                ensureFits(target, request.resources(), null);
                held = new Held(request.instanceId(), target);
                held.apply(request);
                held.state = RuntimeState.RUNNING;
                held.startingLeft = startingChecks;
                instances.put(held.id, held);
                creates.merge(held.id, 1, Integer::sum);
                resourcesCreated++;
                return held.status();
            }
        });
    }

    @Override
    public void suspend(String instanceId) {
        run(Verb.SUSPEND, instanceId, () -> {
            synchronized (lock) {
                held(instanceId).state = RuntimeState.STOPPED;
            }
        });
    }

    @Override
    public void resume(String instanceId) {
        run(Verb.RESUME, instanceId, () -> {
            synchronized (lock) {
                held(instanceId).state = RuntimeState.RUNNING;
            }
        });
    }

    @Override
    public InstanceStatus changePlan(String instanceId, ResourceLimits limits) {
        if (limits == null) {
            throw new InvalidSpecException("limits", "is required");
        }
        return call(Verb.CHANGE_PLAN, instanceId, () -> {
            synchronized (lock) {
                Held held = held(instanceId);
                ensureFits(held.target, limits, held.id);
                held.limits = limits;
                return held.status();
            }
        });
    }

    @Override
    public InstanceStatus upgrade(ProvisionRequest request) {
        Objects.requireNonNull(request, "request");
        validate(request);
        return call(Verb.UPGRADE, request.instanceId(), () -> {
            synchronized (lock) {
                Held held = held(request.instanceId());
                ensureFits(held.target, request.resources(), held.id);
                held.apply(request);
                return held.status();
            }
        });
    }

    @Override
    public InstanceStatus status(String instanceId) {
        return call(Verb.STATUS, instanceId, () -> {
            synchronized (lock) {
                Held held = held(instanceId);
                InstanceStatus s = held.status();
                if (held.startingLeft > 0) held.startingLeft--;
                return s;
            }
        });
    }

    @Override
    public List<InstanceStatus> inventory() {
        return call(Verb.INVENTORY, null, () -> {
            synchronized (lock) {
                return instances.values().stream().map(Held::status).toList();
            }
        });
    }

    @Override
    public void terminate(String instanceId) {
        run(Verb.TERMINATE, instanceId, () -> {
            synchronized (lock) {
                instances.remove(instanceId);
            }
        });
    }

    /** {@inheritDoc} Used CPU and memory count running instances' requests; used disk counts every instance. */
    @Override
    public List<NodeCapacity> nodes() {
        return call(Verb.NODES, null, () -> {
            synchronized (lock) {
                List<NodeCapacity> result = new ArrayList<>();
                targets.forEach((name, cap) -> {
                    long cpu = 0;
                    long mem = 0;
                    long disk = 0;
                    for (Held h : instances.values()) {
                        if (h.target.equals(name)) {
                            disk += h.limits.diskBytes();
                            if (h.state == RuntimeState.RUNNING) {
                                cpu += h.limits.cpuRequestMillis();
                                mem += h.limits.memoryRequestBytes();
                            }
                        }
                    }
                    result.add(new NodeCapacity(name, cap.cpuMillis(), cap.memoryBytes(), cap.diskBytes(), cpu, mem, disk));
                });
                return result;
            }
        });
    }

    /** {@inheritDoc} Always succeeds unless a fault is injected for {@link Verb#TEST_CONNECTION}. */
    @Override
    public void testConnection() {
        run(Verb.TEST_CONNECTION, null, () -> { });
    }

    @Override
    public Optional<BackupSupport> backups() {
        return backups ? Optional.of(this) : Optional.empty();
    }

    @Override
    public Optional<MigrationSupport> migration() {
        return migration ? Optional.of(this) : Optional.empty();
    }

    @Override
    public Optional<LiveResizeSupport> liveResize() {
        return liveResize ? Optional.of(this) : Optional.empty();
    }

    // ---------------------------------------------------------------- capabilities

    /** {@inheritDoc} The archive is the instance's data map, encoded deterministically. */
    @Override
    public BackupManifest backup(String instanceId, String backupId, BackupStore store) {
        Objects.requireNonNull(store, "store");
        if (backupId == null || backupId.isBlank()) {
            throw new InvalidSpecException("backupId", "must not be blank");
        }
        return call(Verb.BACKUP, instanceId, () -> {
            Map<String, String> snapshot;
            BackupManifest manifest;
            synchronized (lock) {
                Held held = held(instanceId);
                snapshot = new TreeMap<>(held.data);
                manifest = new BackupManifest(backupId, instanceId, held.request.appId(), held.version,
                        clock.instant(), 0, null, null);
            }
            // outside the lock: a slow store must not block other instances
            return store.put(manifest, new ByteArrayInputStream(encode(snapshot)));
        });
    }

    /** {@inheritDoc} Size and SHA-256 are verified before any data is replaced; the running state is kept. */
    @Override
    public void restore(String instanceId, BackupManifest backup, BackupStore store) {
        Objects.requireNonNull(backup, "backup");
        Objects.requireNonNull(store, "store");
        run(Verb.RESTORE, instanceId, () -> {
            synchronized (lock) {
                held(instanceId); // an unknown instance fails before the store is read
            }
            byte[] bytes;
            try (InputStream in = store.open(backup.backupId())) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new UnavailableException("reading backup '" + backup.backupId() + "' failed", e);
            }
            if (bytes.length != backup.sizeBytes()
                    || !InMemoryBackupStore.sha256Hex(bytes).equalsIgnoreCase(String.valueOf(backup.sha256()))) {
                throw new BerthException("backup '" + backup.backupId() + "' does not match its manifest "
                        + "(size or SHA-256 differ); data left untouched", false);
            }
            Map<String, String> restored = decode(bytes, backup.backupId());
            synchronized (lock) {
                Held held = held(instanceId);
                held.data.clear();
                held.data.putAll(restored);
            }
        });
    }

    /** {@inheritDoc} Capacity on the new target is checked first; data, limits and state move along. */
    @Override
    public InstanceStatus migrate(String instanceId, NodeRef target) {
        Objects.requireNonNull(target, "target");
        if (target.target() == null || !targets.containsKey(target.target())) {
            throw new InvalidSpecException("target.target", "unknown target '" + target.target() + "'");
        }
        return call(Verb.MIGRATE, instanceId, () -> {
            synchronized (lock) {
                Held held = held(instanceId);
                if (!held.target.equals(target.target())) {
                    ensureFits(target.target(), held.limits, held.id);
                    held.target = target.target();
                }
                return held.status();
            }
        });
    }

    /** {@inheritDoc} Memory can be lowered live here. */
    @Override
    public boolean canShrinkMemory() {
        return true;
    }

    // ---------------------------------------------------------------- test helpers

    /**
     * Writes one entry of the instance's persistent data, as the app would. Not subject to fault injection.
     *
     * @throws NotFoundException if no such instance exists
     */
    public void writeData(String instanceId, String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        synchronized (lock) {
            held(instanceId).data.put(key, value);
        }
    }

    /**
     * Reads one entry of the instance's persistent data.
     *
     * @throws NotFoundException if no such instance exists
     */
    public Optional<String> readData(String instanceId, String key) {
        synchronized (lock) {
            return Optional.ofNullable(held(instanceId).data.get(key));
        }
    }

    /**
     * A copy of all of the instance's persistent data.
     *
     * @throws NotFoundException if no such instance exists
     */
    public Map<String, String> data(String instanceId) {
        synchronized (lock) {
            return Map.copyOf(held(instanceId).data);
        }
    }

    /** True when the instance exists. Not subject to fault injection. */
    public boolean contains(String instanceId) {
        synchronized (lock) {
            return instances.containsKey(instanceId);
        }
    }

    /**
     * The request the instance was last provisioned or upgraded with (components, env, secrets, labels), so
     * that a test can check what the engine sent.
     */
    public Optional<ProvisionRequest> lastRequest(String instanceId) {
        synchronized (lock) {
            return Optional.ofNullable(instances.get(instanceId)).map(h -> h.request);
        }
    }

    /** How many instances were ever created (not converged), over the provider's whole life. */
    public int resourcesCreated() {
        synchronized (lock) {
            return resourcesCreated;
        }
    }

    /**
     * How many times an instance with this id was created; 1 after any number of idempotent provisions, 2 if
     * it was terminated and provisioned again.
     */
    public int createCount(String instanceId) {
        synchronized (lock) {
            return creates.getOrDefault(instanceId, 0);
        }
    }

    /** The targets and their capacity. */
    public Map<String, Capacity> targets() {
        return targets;
    }

    // ---------------------------------------------------------------- internals

    private void validate(ProvisionRequest request) {
        if (request.instanceId() == null || request.instanceId().isBlank()) {
            throw new InvalidSpecException("instanceId", "must not be blank");
        }
        if (request.resources() == null) {
            throw new InvalidSpecException("resources", "is required");
        }
        if (request.node() == null) {
            throw new InvalidSpecException("node", "is required");
        }
        if (request.node().target() == null || !targets.containsKey(request.node().target())) {
            throw new InvalidSpecException("node.target", "unknown target '" + request.node().target() + "'");
        }
    }

    private Held held(String instanceId) {
        Held held = instanceId == null ? null : instances.get(instanceId);
        if (held == null) {
            throw new NotFoundException("instance", instanceId);
        }
        return held;
    }

    private void ensureFits(String target, ResourceLimits limits, String excludingId) {
        Capacity cap = targets.get(target);
        long cpu = limits.cpuRequestMillis();
        long mem = limits.memoryRequestBytes();
        long disk = limits.diskBytes();
        for (Held h : instances.values()) {
            if (h.target.equals(target) && !h.id.equals(excludingId)) {
                cpu += h.limits.cpuRequestMillis();
                mem += h.limits.memoryRequestBytes();
                disk += h.limits.diskBytes();
            }
        }
        if (cpu > cap.cpuMillis() || mem > cap.memoryBytes() || disk > cap.diskBytes()) {
            throw new InsufficientCapacityException("target '" + target + "' has no room: would need "
                    + cpu + "m CPU, " + mem + " B memory, " + disk + " B disk of " + cap);
        }
    }

    private static byte[] encode(Map<String, String> data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeString(out, ARCHIVE_MAGIC);
            out.writeInt(data.size());
            for (Map.Entry<String, String> e : data.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static Map<String, String> decode(byte[] archive, String backupId) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(archive))) {
            if (!ARCHIVE_MAGIC.equals(readString(in))) {
                throw new IOException("not an in-memory provider archive");
            }
            int n = in.readInt();
            Map<String, String> data = new HashMap<>();
            for (int i = 0; i < n; i++) {
                data.put(readString(in), readString(in));
            }
            return data;
        } catch (IOException | RuntimeException e) {
            throw new BerthException("backup '" + backupId + "' is not a readable archive", false, e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > in.available()) {
            throw new IOException("corrupt length " + len);
        }
        return new String(in.readNBytes(len), StandardCharsets.UTF_8);
    }

    /** One instance; every field is guarded by the provider's lock. */
    private static final class Held {
        private final String id;
        private String target;
        private RuntimeState state = RuntimeState.STARTING;
        /** Status reports still to show STARTING before {@link #state} (see {@link Builder#startingChecks}). */
        private int startingLeft;
        private ResourceLimits limits;
        private String version;
        private List<ComponentSpec> components = List.of();
        private ProvisionRequest request;
        private final Map<String, String> data = new HashMap<>();

        private Held(String id, String target) {
            this.id = id;
            this.target = target;
        }

        private void apply(ProvisionRequest r) {
            request = r;
            limits = r.resources();
            version = r.appVersion();
            components = r.components();
        }

        private InstanceStatus status() {
            RuntimeState shown = startingLeft > 0 && state == RuntimeState.RUNNING ? RuntimeState.STARTING : state;
            return new InstanceStatus(id, target, shown, version, limits, endpoint());
        }

        private String endpoint() {
            return components.stream()
                    .filter(ComponentSpec::http)
                    .findFirst()
                    .map(c -> id + "." + target + ".memory:" + (c.ports().isEmpty() ? 80 : c.ports().get(0).containerPort()))
                    .orElse(null);
        }
    }
}
