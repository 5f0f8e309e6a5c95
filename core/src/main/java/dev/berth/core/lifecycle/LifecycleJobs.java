package dev.berth.core.lifecycle;

import dev.berth.core.node.NodeHealthSettings;
import dev.berth.core.notify.NotificationSettings;
import dev.berth.core.events.BerthEvent;
import dev.berth.spi.RuntimeProvider;

import java.util.List;
import java.util.function.Consumer;

/**
 * The periodic jobs, one class each; this is their entry point. Each job reads "now" from the engine's clock, so
 * tests drive them with a fake clock; in production db-scheduler runs them on one Berth process at a time. All
 * are idempotent.
 */
public final class LifecycleJobs {

    private final EntitlementJob entitlements;
    private final BackupScheduleJob backups;
    private final BackupRetentionJob backupRetention;
    private final TerminationWarningJob terminationWarnings;
    private final InstanceHealthJob instanceHealth;
    private final QueueJob queue;
    private final NodeHealthJob nodeHealth;
    private final OperationSweepJob sweep;

    LifecycleJobs(Engine engine, Placement placement, InstanceService instances, BillingService billing, Consumer<String> submit) {
        this.entitlements = new EntitlementJob(engine, instances, billing, submit);
        this.backups = new BackupScheduleJob(engine, instances);
        this.backupRetention = new BackupRetentionJob(engine);
        this.terminationWarnings = new TerminationWarningJob(engine, submit);
        this.instanceHealth = new InstanceHealthJob(engine);
        this.queue = new QueueJob(engine, placement, submit);
        this.nodeHealth = new NodeHealthJob(engine, queue::run);
        this.sweep = new OperationSweepJob(engine, submit);
    }

    /**
     * Grace and expiry: an instance in GRACE longer than its plan's grace period is suspended; one whose
     * subscription ENDED (or that is SUSPENDED by billing) is suspended at once, and an ENDED one is terminated,
     * with a final backup, once the plan's retention has passed. Also starts actions billing could not start
     * because another operation was running.
     *
     * @return the operations started
     */
    public List<String> enforceEntitlements() {
        return entitlements.run();
    }

    /**
     * Applies backup retention ({@link #enforceBackupRetention()}), then starts a backup for every instance whose
     * plan takes periodic backups and whose newest backup is older than the plan's interval.
     *
     * @return the operations started
     */
    public List<String> runDueBackups() {
        backupRetention.run();
        return backups.run();
    }

    /**
     * Deletes exactly the expired backups: those older than the retention of their instance's plan (see
     * {@link BackupRetentionJob}); a terminated instance's secrets go with its last backup.
     *
     * @return ids of the deleted backups
     */
    public List<String> enforceBackupRetention() {
        return backupRetention.run();
    }

    /**
     * Warns the customer of every instance scheduled for termination that termination is
     * {@link NotificationSettings#terminationWarning()} or less away, once per schedule.
     *
     * @return ids of the instances warned by this run
     */
    public List<String> sendTerminationWarnings() {
        return terminationWarnings.run();
    }

    /**
     * Asks each runtime for the status of every ACTIVE instance and raises
     * {@link BerthEvent.Type#HEALTH_CHECK_FAILED} for those not running.
     *
     * @return ids of unhealthy instances
     */
    public List<String> checkHealth() {
        return instanceHealth.run();
    }

    /**
     * Places queued instances, oldest first, when capacity has appeared; one that still fits nowhere stays queued
     * without holding up younger, smaller ones.
     *
     * @return how many queued instances were placed
     */
    public int placeQueued() {
        return queue.run();
    }

    /**
     * The node health and usage job ({@link RuntimeProvider#nodes()} per provider): usage samples kept for
     * {@link NodeHealthSettings#usageRetention()}, nodes set OFFLINE after repeated failed checks and back ONLINE
     * when they pass, usage alarms. Nodes in MAINTENANCE are sampled but never alarmed or changed.
     *
     * @return ids of the nodes whose check failed this time
     */
    public List<String> checkNodes() {
        return nodeHealth.run();
    }

    /**
     * Schedules every operation still IN_PROGRESS that has no execution (a crash between committing the command
     * and scheduling it). Cheap and idempotent.
     *
     * @return how many operations were (re)submitted
     */
    public int sweepOperations() {
        return sweep.run();
    }
}
