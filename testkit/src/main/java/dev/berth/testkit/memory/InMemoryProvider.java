package dev.berth.testkit.memory;

import dev.berth.core.node.Capacity;
import dev.berth.spi.BackupSupport;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.ExecSupport;
import dev.berth.spi.LiveResizeSupport;
import dev.berth.spi.MigrationSupport;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.TargetInventorySupport;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InsufficientCapacityException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;

import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The reference {@link RuntimeProvider} (kind {@value #KIND}): instances are records in memory, their
 * persistent data (the "volumes") a string map per instance. It passes the provider TCK, offers backups,
 * migration and live resize, and lets tests inject faults per {@link Verb} (see {@link FaultInjecting}; the
 * subject passed to hooks is the instance id, null for {@link Verb#NODES}, {@link Verb#TEST_CONNECTION} and
 * {@link Verb#INVENTORY} of every target, the target for {@link Verb#INVENTORY} of one target).
 *
 * <p>Behaviour worth knowing in engine tests:
 * <ul>
 *   <li>Capacity is checked against the sum of CPU request, memory request and disk of every instance on a
 *       target, running or stopped (a stopped instance comes back), and exceeding it throws
 *       {@link InsufficientCapacityException}. An unknown target throws {@link InvalidSpecException}.</li>
 *   <li>{@code provision} of an existing id converges: it starts the instance and applies the request's
 *       limits, version and components, keeps its data and its target (moving is {@link InMemoryMigration}'s job),
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
        implements RuntimeProvider {

    /** The provider kind. */
    public static final String KIND = "memory";
    /** The target of a provider made with {@link #InMemoryProvider()}. */
    public static final String DEFAULT_TARGET = "mem-1";
    /** 8000 millicores, 16 GiB memory, 200 GiB disk. */
    public static final Capacity DEFAULT_CAPACITY =
            new Capacity(8000, 16 * ResourceLimits.GIB, 200 * ResourceLimits.GIB);

    /** The provider's operations, for fault injection. */
    public enum Verb {
        PROVISION, SUSPEND, RESUME, CHANGE_PLAN, UPGRADE, STATUS, INVENTORY, TERMINATE, BACKUP, RESTORE, MIGRATE, EXEC,
        /** {@link RuntimeProvider#nodes()}. */
        NODES,
        /** {@link RuntimeProvider#testConnection()}. */
        TEST_CONNECTION
    }

    private final MemoryTargets targets;
    final Clock clock;
    private final boolean backups;
    private final boolean migration;
    private final boolean liveResize;
    private final boolean execOn;
    private final int startingChecks;
    private final java.time.Duration readyAfter;

    final Object lock = new Object();
    private final InMemoryExec exec;
    private final Map<String, HeldInstance> instances = new LinkedHashMap<>(); // guarded by lock
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

    InMemoryProvider(InMemoryProviderBuilder b) {
        super(Verb.class);
        if (b.targets.isEmpty()) {
            throw new InvalidSpecException("targets", "at least one target is required");
        }
        this.targets = new MemoryTargets(b.targets);
        this.clock = b.clock;
        this.backups = b.backups;
        this.migration = b.migration;
        this.liveResize = b.liveResize;
        this.execOn = b.exec;
        this.exec = new InMemoryExec(this, b.programs);
        this.startingChecks = b.startingChecks;
        this.readyAfter = b.readyAfter;
    }

    /** A builder starting with no targets, all capabilities on and the UTC clock. */
    public static InMemoryProviderBuilder builder() {
        return new InMemoryProviderBuilder();
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
                HeldInstance held = instances.get(request.instanceId());
                if (held != null) {
                    ensureFits(held.target, request.resources(), held.id);
                    held.apply(request);
                    held.state = RuntimeState.RUNNING;
                    return held.status();
                }
                String target = request.node().target();
                ensureFits(target, request.resources(), null);
                held = new HeldInstance(request.instanceId(), target, clock);
                held.apply(request);
                held.state = RuntimeState.RUNNING;
                held.startingLeft = startingChecks;
                held.readyAt = readyAfter.isZero() ? null : clock.instant().plus(readyAfter);
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
                HeldInstance held = held(instanceId);
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
                HeldInstance held = held(request.instanceId());
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
                HeldInstance held = held(instanceId);
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
                return instances.values().stream().map(HeldInstance::status).toList();
            }
        });
    }

    /**
     * {@inheritDoc} Offered always: {@link Verb#INVENTORY} calls through it pass the target to hooks as their
     * subject, so a test can make one target unreachable.
     */
    @Override
    public Optional<TargetInventorySupport> targetInventory() {
        return Optional.of(this::inventoryOf);
    }

    private List<InstanceStatus> inventoryOf(String target) {
        if (target == null || !targets.capacities().containsKey(target)) {
            throw new InvalidSpecException("target", "unknown target '" + target + "'");
        }
        return call(Verb.INVENTORY, target, () -> {
            synchronized (lock) {
                return instances.values().stream().filter(h -> target.equals(h.target)).map(HeldInstance::status).toList();
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
                return targets.usage(instances.values());
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
        return backups ? Optional.of(new InMemoryBackups(this)) : Optional.empty();
    }

    @Override
    public Optional<MigrationSupport> migration() {
        return migration ? Optional.of(new InMemoryMigration(this)) : Optional.empty();
    }

    @Override
    public Optional<ExecSupport> exec() {
        return execOn ? Optional.of(exec) : Optional.empty();
    }

    @Override
    public Optional<LiveResizeSupport> liveResize() {
        return liveResize ? Optional.<LiveResizeSupport>of(() -> true) : Optional.empty();
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

    /**
     * The commands run through {@link #exec()} in {@code instanceId}, oldest first, each as its argv; the stdin
     * of each stays a {@link dev.berth.spi.SecretValue} in {@link #execInputs(String)}.
     */
    public List<List<String>> execHistory(String instanceId) {
        return exec.history().stream().filter(r -> r.instanceId().equals(instanceId)).map(InMemoryExec.Ran::argv).toList();
    }

    /** What each command of {@link #execHistory(String)} read on stdin (null: nothing). */
    public List<dev.berth.spi.SecretValue> execInputs(String instanceId) {
        return exec.history().stream().filter(r -> r.instanceId().equals(instanceId)).map(InMemoryExec.Ran::stdin).toList();
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
        return targets.capacities();
    }

    // ---------------------------------------------------------------- internals

    private void validate(ProvisionRequest request) {
        targets.validate(request);
    }

    HeldInstance held(String instanceId) {
        HeldInstance held = instanceId == null ? null : instances.get(instanceId);
        if (held == null) {
            throw new NotFoundException("instance", instanceId);
        }
        return held;
    }

    void ensureFits(String target, ResourceLimits limits, String excludingId) {
        targets.ensureFits(target, limits, excludingId, instances.values());
    }
}
