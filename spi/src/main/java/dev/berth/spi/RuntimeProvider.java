package dev.berth.spi;

import java.util.List;
import java.util.Optional;

/**
 * A runtime that hosts instances: a Docker host, a K3s cluster, a Proxmox cluster. Implementations are plain
 * Java, created by a {@link ProviderFactory} and proven by the TCK in {@code berth-testkit}.
 *
 * <h2>Contract shared by every method</h2>
 * <ul>
 *   <li><b>Idempotent by instance id.</b> Calling a verb again with the same arguments after it succeeded, or
 *       after it failed half-way, converges to the same result and never creates a second resource. The
 *       lifecycle engine relies on this to retry and to resume after a crash.</li>
 *   <li><b>Synchronous.</b> A method returns when the runtime has done the work (the provider waits for its
 *       own async tasks); waiting for the app to answer its readiness probe is the engine's job.</li>
 *   <li><b>Typed errors.</b> Failures are {@link dev.berth.spi.error.BerthException} subclasses:
 *       {@code NotFoundException} when the instance does not exist, {@code UnavailableException} when the
 *       runtime cannot be reached (retryable), {@code ConflictException} when the object is locked
 *       (retryable), {@code InsufficientCapacityException}, {@code AuthenticationException},
 *       {@code InvalidSpecException} for requests the runtime rejects (not retryable).</li>
 *   <li><b>Thread-safe.</b> Calls for different instances may run concurrently; the engine never runs two
 *       calls for the same instance at once.</li>
 * </ul>
 * Optional abilities are separate capability interfaces returned by {@link #backups()}, {@link #migration()},
 * {@link #liveResize()}, {@link #logs()}, {@link #exec()} and {@link #targetInventory()}; an empty optional means the runtime cannot do it.
 */
public interface RuntimeProvider extends AutoCloseable {

    /** The provider kind, as accepted by its factory's {@code supports} ("docker", "k3s", "proxmox-lxc"). */
    String kind();

    /**
     * Creates the instance and starts it. If it already exists, makes it match the request (missing parts
     * created, stopped components started) and returns its status; never creates a duplicate.
     *
     * @return the observed status after creation, with limits read back from the runtime
     */
    InstanceStatus provision(ProvisionRequest request);

    /**
     * Stops every component, keeping all data. Idempotent: suspending a stopped instance does nothing.
     *
     * @throws dev.berth.spi.error.NotFoundException if the runtime holds no such instance
     */
    void suspend(String instanceId);

    /**
     * Starts a suspended instance again. Idempotent: resuming a running instance does nothing.
     *
     * @throws dev.berth.spi.error.NotFoundException if the runtime holds no such instance
     */
    void resume(String instanceId);

    /**
     * Applies new resource limits (plan change). The instance may be restarted unless the provider offers
     * {@link #liveResize()}. Idempotent: applying the limits already in force does nothing.
     *
     * @return status with the limits read back from the runtime
     * @throws dev.berth.spi.error.NotFoundException if the runtime holds no such instance
     */
    InstanceStatus changePlan(String instanceId, ResourceLimits limits);

    /**
     * Moves the instance to a new app version with the same data and env. The request carries the
     * components resolved for the new version. Idempotent: upgrading to the running version does nothing.
     * Taking a backup first is the engine's job; restoring on failure is the provider's when it can.
     *
     * @throws dev.berth.spi.error.NotFoundException if the runtime holds no such instance
     */
    InstanceStatus upgrade(ProvisionRequest request);

    /**
     * Observed status of one instance, as it is now: one look, without waiting. {@link RuntimeState#RUNNING} means
     * every component runs and every component that has a readiness probe passes it; an instance that runs but
     * whose probe does not pass yet is {@link RuntimeState#STARTING}. The engine calls this repeatedly while it
     * waits for readiness, so it should be cheap.
     *
     * @throws dev.berth.spi.error.NotFoundException if the runtime holds no such instance
     */
    InstanceStatus status(String instanceId);

    /**
     * Every instance this runtime holds that Berth created (found by Berth's labels/tags, never by name alone),
     * including ones Berth's database does not know about. Used by the reconciler.
     */
    List<InstanceStatus> inventory();

    /**
     * Removes every runtime resource of the instance (containers, volumes, networks, DNS-free). Idempotent:
     * terminating an instance that does not exist succeeds. Taking a final backup is the engine's job.
     */
    void terminate(String instanceId);

    /** Capacity and usage of each target this provider manages. */
    List<NodeCapacity> nodes();

    /**
     * Checks that the runtime is reachable and the credentials work.
     *
     * @throws dev.berth.spi.error.UnavailableException    if it cannot be reached
     * @throws dev.berth.spi.error.AuthenticationException if the credentials are refused
     */
    void testConnection();

    /** Backup and restore of instance data, when the runtime can archive it. */
    default Optional<BackupSupport> backups() {
        return Optional.empty();
    }

    /** Moving an instance between two targets of this provider. */
    default Optional<MigrationSupport> migration() {
        return Optional.empty();
    }

    /** Plan changes without a restart. */
    default Optional<LiveResizeSupport> liveResize() {
        return Optional.empty();
    }

    /** Reading recent log lines of an instance. */
    default Optional<LogSupport> logs() {
        return Optional.empty();
    }

    /** Running a command inside a component of a running instance (app bootstrap, backup hooks). */
    default Optional<ExecSupport> exec() {
        return Optional.empty();
    }

    /** Listing one target's instances alone, when the runtime's targets answer separately. */
    default Optional<TargetInventorySupport> targetInventory() {
        return Optional.empty();
    }

    /** Releases clients and connections. Does not touch instances. */
    @Override
    default void close() {
    }
}
