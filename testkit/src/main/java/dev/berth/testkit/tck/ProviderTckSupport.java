package dev.berth.testkit.tck;

import dev.berth.core.backup.BackupStore;
import dev.berth.core.plan.ResourceLimits;
import dev.berth.core.provider.ComponentSpec;
import dev.berth.core.provider.InstanceStatus;
import dev.berth.core.provider.NodeRef;
import dev.berth.core.provider.ProvisionRequest;
import dev.berth.core.provider.RuntimeProvider;
import dev.berth.core.provider.RuntimeState;
import dev.berth.testkit.memory.InMemoryBackupStore;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Common base of the provider TCK suites ({@link ProvisionContract}, {@link LifecycleContract},
 * {@link BackupContract}, {@link MigrationContract}). A provider proves itself by extending each suite it
 * qualifies for with a short subclass in its {@code src/test} that implements the abstract hooks.
 *
 * <h2>Provider lifetime</h2>
 * {@link #provider()} is called many times per test and must return the same provider throughout one test.
 * JUnit creates a new test instance per test method, so a field initialised in the subclass gives a fresh
 * provider per test; a static field shares one across the class, which suits runtimes that are slow to
 * connect to. The base never closes the provider: close it in an {@code @AfterAll} method, not in an
 * {@code @AfterEach} (a subclass's {@code @AfterEach} runs before this base's leak check).
 *
 * <h2>Leak check</h2>
 * Every id from {@link #newInstanceId()} is recorded. After each test the base terminates all of them, then
 * fails the test if {@link RuntimeProvider#inventory()} still lists one of them or {@link #leftovers(String)}
 * reports anything for one of them.
 *
 * <h2>Waiting</h2>
 * Provider verbs are synchronous, but a runtime may report {@link RuntimeState#STARTING} for a while after it
 * started an instance (a pod being scheduled). Tests wait up to {@link #stateTimeout()} for the state they
 * expect; no test waits on app readiness.
 */
public abstract class ProviderTckSupport {

    /** Label put on every instance the TCK creates, so operators can find strays. */
    public static final String TCK_LABEL = "berth.dev/tck";

    private final Set<String> createdIds = new LinkedHashSet<>();
    private final InMemoryBackupStore defaultBackupStore = new InMemoryBackupStore();

    // ---------------------------------------------------------------- hooks a provider implements

    /** The provider under test; the same object for the whole test (see the class comment). */
    protected abstract RuntimeProvider provider();

    /** The node instances are provisioned on. */
    protected abstract NodeRef node();

    /**
     * The components of the provider's test app at {@code version}. Must keep persistent data across
     * versions (same volumes) so that upgrade can be checked, and may depend on the instance id (names).
     */
    protected abstract List<ComponentSpec> components(String instanceId, String version);

    /**
     * Writes {@code content} into the instance's persistent storage, through the runtime (exec into the
     * container, write to the volume, …). Called only while the instance is RUNNING; overwrites any marker.
     */
    protected abstract void writeMarker(String instanceId, String content);

    /**
     * Reads what {@link #writeMarker} wrote from the instance's persistent storage, through the runtime; empty
     * when there is no marker. Called only while the instance is RUNNING.
     */
    protected abstract Optional<String> readMarker(String instanceId);

    // ---------------------------------------------------------------- hooks with defaults

    /** The app version instances are first provisioned with. */
    protected String version() {
        return "1.0.0";
    }

    /** The version upgrades go to. */
    protected String upgradedVersion() {
        return "1.1.0";
    }

    /** The plan instances are provisioned with: burstable 250m/1000m CPU, 64/128 MiB memory, 1 GiB disk. */
    protected ResourceLimits smallPlan() {
        return new ResourceLimits(250, 1000, 64 * ResourceLimits.MIB, 128 * ResourceLimits.MIB, ResourceLimits.GIB);
    }

    /** The plan changes go to: 500m/2000m CPU, 128/256 MiB memory, 2 GiB disk. */
    protected ResourceLimits largePlan() {
        return new ResourceLimits(500, 2000, 128 * ResourceLimits.MIB, 256 * ResourceLimits.MIB, 2 * ResourceLimits.GIB);
    }

    /** Where backup tests store archives; by default one fresh in-memory store per test. */
    protected BackupStore backupStore() {
        return defaultBackupStore;
    }

    /**
     * Runtime resources of the instance that are still present (Docker volumes, networks, PVCs, …), named so a
     * failure message says what leaked. Called after the instance was terminated; empty means clean.
     */
    protected List<String> leftovers(String instanceId) {
        return List.of();
    }

    /** How long a test waits for an instance to reach an expected state. */
    protected Duration stateTimeout() {
        return Duration.ofMinutes(2);
    }

    // ---------------------------------------------------------------- helpers for suites

    /** A new unique, DNS-safe instance id ("tck-" and 8 hex digits), recorded for the leak check. */
    protected final String newInstanceId() {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        String id = "tck-" + HexFormat.of().formatHex(random);
        createdIds.add(id);
        return id;
    }

    /** A provision request for {@code id} at {@link #version()} on {@link #node()}. */
    protected final ProvisionRequest request(String id, ResourceLimits limits) {
        return request(id, limits, version());
    }

    /** A provision request for {@code id} at {@code version} on {@link #node()}. */
    protected final ProvisionRequest request(String id, ResourceLimits limits, String version) {
        return new ProvisionRequest(id, "tck-tenant", id, id + ".tck.invalid", "tck-app", version,
                components(id, version), limits, node(), Map.of(TCK_LABEL, "true"));
    }

    /** Provisions {@code id} on the small plan and waits until it runs. */
    protected final InstanceStatus provisionRunning(String id) {
        InstanceStatus status = provider().provision(request(id, smallPlan()));
        awaitState(id, RuntimeState.RUNNING);
        return status;
    }

    /** Waits up to {@link #stateTimeout()} for {@code status(id)} to report {@code state}; returns that status. */
    protected final InstanceStatus awaitState(String id, RuntimeState state) {
        Awaitility.await("instance " + id + " to be " + state)
                .atMost(stateTimeout())
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> provider().status(id).state() == state);
        return provider().status(id);
    }

    /** The inventory entries of {@code id} (a correct provider has at most one). */
    protected final List<InstanceStatus> inventoryOf(String id) {
        return provider().inventory().stream().filter(s -> id.equals(s.instanceId())).toList();
    }

    /** The ids recorded by {@link #newInstanceId()} in this test. */
    protected final Set<String> createdIds() {
        return Set.copyOf(createdIds);
    }

    // ---------------------------------------------------------------- leak check

    /** Terminates every instance this test created and fails the test if anything of them remains. */
    @AfterEach
    protected void terminateAndCheckForLeaks() {
        List<String> problems = new ArrayList<>();
        for (String id : createdIds) {
            try {
                provider().terminate(id);
            } catch (RuntimeException e) {
                problems.add("terminate(" + id + ") failed: " + e);
            }
        }
        Set<String> inventoried = new LinkedHashSet<>();
        try {
            provider().inventory().forEach(s -> inventoried.add(s.instanceId()));
        } catch (RuntimeException e) {
            problems.add("inventory() failed: " + e);
        }
        for (String id : createdIds) {
            if (inventoried.contains(id)) {
                problems.add("instance " + id + " is still in the inventory after terminate");
            }
            List<String> left = leftovers(id);
            if (!left.isEmpty()) {
                problems.add("instance " + id + " left " + left);
            }
        }
        createdIds.clear();
        assertThat(problems).as("resources leaked by this test").isEmpty();
    }
}
