package dev.berth.testkit.tck;

import dev.berth.spi.InstanceStatus;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.backup.BackupStore;
import dev.berth.testkit.memory.InMemoryBackupStore;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Common base of the provider TCK suites ({@link ProvisionContract}, {@link LifecycleContract},
 * {@link BackupContract}, {@link MigrationContract}). A provider proves itself with one {@link TckTarget}
 * (provider, node, test app, markers, plans; its javadoc states the lifetime and semantics of each hook) and,
 * for each suite it qualifies for, a short subclass in its {@code src/test} whose only job is {@link #target()}:
 *
 * <pre>{@code
 * class MyProvisionIT extends ProvisionContract {
 *     private static MyTckTarget target;
 *
 *     @BeforeAll static void open() { target = new MyTckTarget(); }
 *     @AfterAll static void close() { target.close(); }
 *     @Override protected TckTarget target() { return target; }
 * }
 * }</pre>
 *
 * <h2>Leak check</h2>
 * Every id from {@link #newInstanceId()} is recorded. After each test the base terminates all of them, then
 * fails the test if {@link RuntimeProvider#inventory()} still lists one of them or
 * {@link TckTarget#leftovers(String)} reports anything for one of them. The base never closes the target.
 */
public abstract class ProviderTckSupport {

    /** Label put on every instance the TCK creates, so operators can find strays. */
    public static final String TCK_LABEL = "berth.dev/tck";

    private final Set<String> createdIds = new LinkedHashSet<>();
    private final InMemoryBackupStore defaultBackupStore = new InMemoryBackupStore();

    /** The backend under test; the same target for the whole test (see {@link TckTarget}'s lifetime). */
    protected abstract TckTarget target();

    /** Where backup tests store archives: the target's store, else one fresh in-memory store per test. */
    protected final BackupStore backupStore() {
        return target().backupStore().orElse(defaultBackupStore);
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

    /** A provision request for {@code id} at the target's {@link TckTarget#version()} on its node. */
    protected final ProvisionRequest request(String id, ResourceLimits limits) {
        return request(id, limits, target().version());
    }

    /** A provision request for {@code id} at {@code version} on the target's {@link TckTarget#node()}. */
    protected final ProvisionRequest request(String id, ResourceLimits limits, String version) {
        return new ProvisionRequest(id, "tck-tenant", id, id + ".tck.invalid", "tck-app", version,
                target().components(id, version), limits, target().node(), Map.of(TCK_LABEL, "true"));
    }

    /** Provisions {@code id} on the small plan and waits until it runs. */
    protected final InstanceStatus provisionRunning(String id) {
        InstanceStatus status = target().provider().provision(request(id, target().smallPlan()));
        awaitState(id, RuntimeState.RUNNING);
        return status;
    }

    /**
     * Waits up to the target's {@link TckTarget#stateTimeout()} for {@code status(id)} to report {@code state};
     * returns that status.
     */
    protected final InstanceStatus awaitState(String id, RuntimeState state) {
        Awaitility.await("instance " + id + " to be " + state)
                .atMost(target().stateTimeout())
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> target().provider().status(id).state() == state);
        return target().provider().status(id);
    }

    /** The inventory entries of {@code id} (a correct provider has at most one). */
    protected final List<InstanceStatus> inventoryOf(String id) {
        return target().provider().inventory().stream().filter(s -> id.equals(s.instanceId())).toList();
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
                target().provider().terminate(id);
            } catch (RuntimeException e) {
                problems.add("terminate(" + id + ") failed: " + e);
            }
        }
        Set<String> inventoried = new LinkedHashSet<>();
        try {
            target().provider().inventory().forEach(s -> inventoried.add(s.instanceId()));
        } catch (RuntimeException e) {
            problems.add("inventory() failed: " + e);
        }
        for (String id : createdIds) {
            if (inventoried.contains(id)) {
                problems.add("instance " + id + " is still in the inventory after terminate");
            }
            List<String> left = target().leftovers(id);
            if (!left.isEmpty()) {
                problems.add("instance " + id + " left " + left);
            }
        }
        createdIds.clear();
        assertThat(problems).as("resources leaked by this test").isEmpty();
    }
}
