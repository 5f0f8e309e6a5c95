package dev.berth.core.lifecycle;

import dev.berth.core.node.NodeHealthSettings;
import dev.berth.spi.error.InvalidSpecException;

import java.time.Duration;
import java.util.Set;

/**
 * Tuning of the lifecycle engine. {@link #defaults()} suits production; tests shorten the intervals.
 *
 * @param schedulerName           this process's name among the Berth processes sharing the database; unique among
 *                                live processes. Keep it stable across restarts (a pod or host name, not the
 *                                default, which includes the pid): a process starting under the name of one that
 *                                died takes that one's running operations back at once, while another name waits
 *                                for the missed-heartbeat window
 * @param workerThreads           operations run in parallel by this process
 * @param pollInterval            how often workers look for due operations
 * @param heartbeatInterval       how often a running operation proves its worker is alive
 * @param missedHeartbeats        heartbeats missed before another process takes the operation over (crash)
 * @param retryBase               first retry delay after a retryable error; doubles per attempt
 * @param retryMax                cap on the retry delay
 * @param maxAttempts             attempts before a retryable error counts as permanent
 * @param readinessTimeout        how long provisioning waits for the runtime to report the instance running
 * @param baseDomain              instance host names are {@code slug.baseDomain}
 * @param defaultTimezone         time zone given to apps that take one
 * @param licenceAcknowledgements app ids whose licence terms the operator has acknowledged (n8n needs it)
 * @param recurringJobs           run sweeper, lifecycle and backup jobs on a schedule (off in tests that
 *                                drive them with a fake clock)
 * @param jobInterval             how often the recurring jobs run
 * @param nodeHealth              how the node health and usage job judges nodes
 * @param recheckFirst            how soon a step waiting on the runtime (READY) looks again the first time; the
 *                                interval then grows with the time already waited, up to {@code recheckMax}. A
 *                                waiting operation holds no worker between looks; a look is noticed at the next
 *                                poll, so {@code pollInterval} bounds how finely this applies
 * @param recheckMax              cap on the interval between two looks of a waiting step
 * @param maxWorkersPerTenant     most workers of this process one tenant's operations may use at once; an
 *                                operation over it is rescheduled shortly (0: no limit)
 * @param maxInstancesPerTenant   most instances (any state but TERMINATED) one tenant may have; provisioning past
 *                                it is refused with {@link dev.berth.spi.error.LimitExceededException} (0: no limit)
 */
public record EngineSettings(String schedulerName, int workerThreads, Duration pollInterval, Duration heartbeatInterval,
                             int missedHeartbeats, Duration retryBase, Duration retryMax, int maxAttempts,
                             Duration readinessTimeout, String baseDomain, String defaultTimezone,
                             Set<String> licenceAcknowledgements, boolean recurringJobs, Duration jobInterval,
                             NodeHealthSettings nodeHealth, Duration recheckFirst, Duration recheckMax,
                             int maxWorkersPerTenant, int maxInstancesPerTenant) {

    /** Default first look again of a waiting step. */
    public static final Duration DEFAULT_RECHECK_FIRST = Duration.ofMillis(500);
    /** Default cap on the interval between looks of a waiting step. */
    public static final Duration DEFAULT_RECHECK_MAX = Duration.ofSeconds(5);

    /** Settings with the default waits and no per-tenant limits. */
    public EngineSettings(String schedulerName, int workerThreads, Duration pollInterval, Duration heartbeatInterval,
                          int missedHeartbeats, Duration retryBase, Duration retryMax, int maxAttempts,
                          Duration readinessTimeout, String baseDomain, String defaultTimezone,
                          Set<String> licenceAcknowledgements, boolean recurringJobs, Duration jobInterval,
                          NodeHealthSettings nodeHealth) {
        this(schedulerName, workerThreads, pollInterval, heartbeatInterval, missedHeartbeats, retryBase, retryMax,
                maxAttempts, readinessTimeout, baseDomain, defaultTimezone, licenceAcknowledgements, recurringJobs,
                jobInterval, nodeHealth, DEFAULT_RECHECK_FIRST, DEFAULT_RECHECK_MAX, 0, 0);
    }

    /** Settings with the default node health rules ({@link NodeHealthSettings#defaults()}). */
    public EngineSettings(String schedulerName, int workerThreads, Duration pollInterval, Duration heartbeatInterval,
                          int missedHeartbeats, Duration retryBase, Duration retryMax, int maxAttempts,
                          Duration readinessTimeout, String baseDomain, String defaultTimezone,
                          Set<String> licenceAcknowledgements, boolean recurringJobs, Duration jobInterval) {
        this(schedulerName, workerThreads, pollInterval, heartbeatInterval, missedHeartbeats, retryBase, retryMax,
                maxAttempts, readinessTimeout, baseDomain, defaultTimezone, licenceAcknowledgements, recurringJobs,
                jobInterval, NodeHealthSettings.defaults());
    }

    public EngineSettings {
        if (schedulerName == null || schedulerName.isBlank() || schedulerName.length() > 50) {
            throw new InvalidSpecException("schedulerName", "must be 1-50 characters");
        }
        if (workerThreads < 1) throw new InvalidSpecException("workerThreads", "must be at least 1");
        if (maxAttempts < 1) throw new InvalidSpecException("maxAttempts", "must be at least 1");
        if (missedHeartbeats < 4) throw new InvalidSpecException("missedHeartbeats", "must be at least 4 (db-scheduler's minimum)");
        if (baseDomain == null || !baseDomain.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
            throw new InvalidSpecException("baseDomain", "must be a lower-case DNS name");
        }
        if (recheckFirst == null || recheckFirst.isNegative() || recheckFirst.isZero()) {
            throw new InvalidSpecException("recheckFirst", "must be positive");
        }
        if (recheckMax == null || recheckMax.compareTo(recheckFirst) < 0) {
            throw new InvalidSpecException("recheckMax", "must be at least recheckFirst");
        }
        if (maxWorkersPerTenant < 0) throw new InvalidSpecException("maxWorkersPerTenant", "must not be negative (0: no limit)");
        if (maxInstancesPerTenant < 0) throw new InvalidSpecException("maxInstancesPerTenant", "must not be negative (0: no limit)");
        licenceAcknowledgements = licenceAcknowledgements == null ? Set.of() : Set.copyOf(licenceAcknowledgements);
        nodeHealth = nodeHealth == null ? NodeHealthSettings.defaults() : nodeHealth;
    }

    /** The same settings with other waits between looks of a waiting step. */
    public EngineSettings withRecheck(Duration first, Duration max) {
        return new EngineSettings(schedulerName, workerThreads, pollInterval, heartbeatInterval, missedHeartbeats, retryBase,
                retryMax, maxAttempts, readinessTimeout, baseDomain, defaultTimezone, licenceAcknowledgements,
                recurringJobs, jobInterval, nodeHealth, first, max, maxWorkersPerTenant, maxInstancesPerTenant);
    }

    /** The same settings with other per-tenant limits (0: no limit). */
    public EngineSettings withTenantLimits(int maxWorkers, int maxInstances) {
        return new EngineSettings(schedulerName, workerThreads, pollInterval, heartbeatInterval, missedHeartbeats, retryBase,
                retryMax, maxAttempts, readinessTimeout, baseDomain, defaultTimezone, licenceAcknowledgements,
                recurringJobs, jobInterval, nodeHealth, recheckFirst, recheckMax, maxWorkers, maxInstances);
    }

    /** The same settings with other worker threads, heartbeats and readiness timeout. */
    public EngineSettings withWorkers(int threads, Duration heartbeat, int missed, Duration readiness) {
        return new EngineSettings(schedulerName, threads, pollInterval, heartbeat, missed, retryBase,
                retryMax, maxAttempts, readiness, baseDomain, defaultTimezone, licenceAcknowledgements,
                recurringJobs, jobInterval, nodeHealth, recheckFirst, recheckMax, maxWorkersPerTenant, maxInstancesPerTenant);
    }

    /**
     * How long a step that has waited {@code waited} so far lets pass before it looks again: as long as it has
     * already waited, between {@link #recheckFirst} and {@link #recheckMax}, so the looks thin out geometrically
     * without the step having to count them.
     */
    public Duration recheckAfter(Duration waited) {
        if (waited.compareTo(recheckFirst) < 0) return recheckFirst;
        return waited.compareTo(recheckMax) > 0 ? recheckMax : waited;
    }

    public EngineSettings withNodeHealth(NodeHealthSettings health) {
        return new EngineSettings(schedulerName, workerThreads, pollInterval, heartbeatInterval, missedHeartbeats, retryBase,
                retryMax, maxAttempts, readinessTimeout, baseDomain, defaultTimezone, licenceAcknowledgements,
                recurringJobs, jobInterval, health, recheckFirst, recheckMax, maxWorkersPerTenant, maxInstancesPerTenant);
    }

    /** Production defaults: 4 workers, 5 s polling, 30 s heartbeats, retries from 5 s up to 10 min, 8 attempts. */
    public static EngineSettings defaults() {
        return new EngineSettings(defaultName(), 4, Duration.ofSeconds(5), Duration.ofSeconds(30), 6,
                Duration.ofSeconds(5), Duration.ofMinutes(10), 8, Duration.ofMinutes(10), "apps.example.com", "UTC",
                Set.of(), true, Duration.ofMinutes(1));
    }

    private static String defaultName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "berth";
        }
        String name = host + "-" + ProcessHandle.current().pid();
        return name.length() > 50 ? name.substring(0, 50) : name;
    }

    public EngineSettings withSchedulerName(String name) {
        return new EngineSettings(name, workerThreads, pollInterval, heartbeatInterval, missedHeartbeats, retryBase,
                retryMax, maxAttempts, readinessTimeout, baseDomain, defaultTimezone, licenceAcknowledgements,
                recurringJobs, jobInterval, nodeHealth, recheckFirst, recheckMax, maxWorkersPerTenant, maxInstancesPerTenant);
    }

    public EngineSettings withBaseDomain(String domain) {
        return new EngineSettings(schedulerName, workerThreads, pollInterval, heartbeatInterval, missedHeartbeats, retryBase,
                retryMax, maxAttempts, readinessTimeout, domain, defaultTimezone, licenceAcknowledgements,
                recurringJobs, jobInterval, nodeHealth, recheckFirst, recheckMax, maxWorkersPerTenant, maxInstancesPerTenant);
    }

    public EngineSettings withLicenceAcknowledgements(Set<String> appIds) {
        return new EngineSettings(schedulerName, workerThreads, pollInterval, heartbeatInterval, missedHeartbeats, retryBase,
                retryMax, maxAttempts, readinessTimeout, baseDomain, defaultTimezone, appIds,
                recurringJobs, jobInterval, nodeHealth, recheckFirst, recheckMax, maxWorkersPerTenant, maxInstancesPerTenant);
    }

    /** Delay before attempt {@code attempt + 1}: base × 2^(attempt-1), capped. */
    public Duration retryDelay(int attempt) {
        long factor = 1L << Math.min(Math.max(attempt - 1, 0), 20);
        Duration d = retryBase.multipliedBy(factor);
        return d.compareTo(retryMax) > 0 ? retryMax : d;
    }
}
