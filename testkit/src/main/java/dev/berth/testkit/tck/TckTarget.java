package dev.berth.testkit.tck;

import dev.berth.spi.ComponentSpec;
import dev.berth.spi.NodeRef;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.backup.BackupStore;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the provider TCK needs from one backend: the provider under test, where to put instances, a small test
 * app and a way to look into its persistent storage. A backend implements it once and every suite it qualifies
 * for ({@link ProvisionContract}, {@link LifecycleContract}, {@link BackupContract}, {@link MigrationContract},
 * {@link ExecContract})
 * gets a short subclass returning that target from {@link ProviderTckSupport#target()}.
 *
 * <h2>Lifetime</h2>
 * A suite calls the target many times per test, and {@link #provider()} must return the same provider for the
 * whole test. The usual shape is one target per test class, held in a static field, created in
 * {@code @BeforeAll} and closed in {@code @AfterAll} (not {@code @AfterEach}: a subclass's {@code @AfterEach}
 * runs before the suite's leak check, which still needs the provider). The suites never close the target.
 * {@link #close()} releases what the target opened (connections, simulators); by default it does nothing.
 *
 * <h2>Leak check</h2>
 * After each test the suite terminates every instance it created, then fails the test if
 * {@link RuntimeProvider#inventory()} still lists one of them or {@link #leftovers(String)} reports anything
 * for one of them.
 *
 * <h2>Waiting</h2>
 * Provider verbs are synchronous, but a runtime may report {@link RuntimeState#STARTING} for a while after it
 * started an instance (a pod being scheduled). Tests wait up to {@link #stateTimeout()} for the state they
 * expect; no test waits on app readiness.
 */
public interface TckTarget extends AutoCloseable {

    // ---------------------------------------------------------------- what every backend provides

    /** The provider under test; the same object for the whole test (see the class comment). */
    RuntimeProvider provider();

    /** The node instances are provisioned on. */
    NodeRef node();

    /**
     * The components of the provider's test app at {@code version}. Must keep persistent data across
     * versions (same volumes) so that upgrade can be checked, and may depend on the instance id (names).
     */
    List<ComponentSpec> components(String instanceId, String version);

    /**
     * Writes {@code content} into the instance's persistent storage, through the runtime (exec into the
     * container, write to the volume, …). Called only while the instance is RUNNING; overwrites any marker.
     */
    void writeMarker(String instanceId, String content);

    /**
     * Reads what {@link #writeMarker} wrote from the instance's persistent storage, through the runtime; empty
     * when there is no marker. Called only while the instance is RUNNING.
     */
    Optional<String> readMarker(String instanceId);

    // ---------------------------------------------------------------- hooks with defaults

    /**
     * A second target of the same provider, different from {@link #node()}; only {@link MigrationContract}
     * asks for it. By default there is none, and a migration suite run against such a target fails.
     */
    default NodeRef otherNode() {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " names no second node; override otherNode() to run the migration suite");
    }

    /**
     * The component {@link ExecContract} runs its commands in. Its image must have a POSIX {@code sh} with
     * {@code cat}, {@code echo} and {@code printenv}. By default the first component of the test app.
     */
    default String execComponent(String instanceId) {
        return components(instanceId, version()).get(0).name();
    }

    /** The app version instances are first provisioned with. */
    default String version() {
        return "1.0.0";
    }

    /** The version upgrades go to. */
    default String upgradedVersion() {
        return "1.1.0";
    }

    /** The plan instances are provisioned with: burstable 250m/1000m CPU, 64/128 MiB memory, 1 GiB disk. */
    default ResourceLimits smallPlan() {
        return new ResourceLimits(250, 1000, 64 * ResourceLimits.MIB, 128 * ResourceLimits.MIB, ResourceLimits.GIB);
    }

    /** The plan changes go to: 500m/2000m CPU, 128/256 MiB memory, 2 GiB disk. */
    default ResourceLimits largePlan() {
        return new ResourceLimits(500, 2000, 128 * ResourceLimits.MIB, 256 * ResourceLimits.MIB, 2 * ResourceLimits.GIB);
    }

    /**
     * Where backup tests store archives. Empty (the default) gives each test a fresh in-memory store; a target
     * returning a store shares it across the tests that use the target.
     */
    default Optional<BackupStore> backupStore() {
        return Optional.empty();
    }

    /**
     * Runtime resources of the instance that are still present (Docker volumes, networks, PVCs, …), named so a
     * failure message says what leaked. Called after the instance was terminated; empty means clean.
     */
    default List<String> leftovers(String instanceId) {
        return List.of();
    }

    /** How long a test waits for an instance to reach an expected state. */
    default Duration stateTimeout() {
        return Duration.ofMinutes(2);
    }

    /** Releases what the target opened; does nothing by default. Declared without checked exceptions. */
    @Override
    default void close() {
    }
}
