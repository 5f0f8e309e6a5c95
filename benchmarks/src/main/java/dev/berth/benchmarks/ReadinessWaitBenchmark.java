package dev.berth.benchmarks;

import dev.berth.core.Berth;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.plan.BackupPolicy;
import dev.berth.core.plan.Plan;
import dev.berth.core.secret.SecretCipher;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.core.tenant.Tenant;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.wait.Poll;
import dev.berth.testkit.memory.InMemoryProvider;

import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * End-to-end harness (not JMH) for waits that hold no worker: {@code instances} provisions on the in-memory runtime
 * whose instances become ready only {@code readyAfter} after they are created, on one Berth process with
 * {@code workers} workers over PostgreSQL. It reports the time until every instance is ACTIVE and, meanwhile, the
 * latency of suspending (and resuming) another tenant's instance, one suspension after the other.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.berth.benchmarks.ReadinessWaitBenchmark
 * [instances=1000] [readyAfter=30] [workers=4] [maxWorkersPerTenant=0]}. PostgreSQL from
 * {@code BERTH_TEST_POSTGRES_URL} / {@code _USER} / {@code _PASSWORD}; the harness works in its own schema
 * {@value #SCHEMA}, dropped and created at the start, so it never touches the tests' schema.
 */
public final class ReadinessWaitBenchmark {

    static final String SCHEMA = "berth_bench_readiness";
    private static final ResourceLimits LIMITS = new ResourceLimits(10, 100, 16 * ResourceLimits.MIB, 32 * ResourceLimits.MIB, ResourceLimits.MIB);
    private static final Capacity ROOM = new Capacity(1_000_000, 1024 * ResourceLimits.GIB, 100_000 * ResourceLimits.GIB);

    public static void main(String[] args) throws Exception {
        int instances = intArg(args, "instances", 1000);
        Duration readyAfter = Duration.ofSeconds(intArg(args, "readyAfter", 30));
        int workers = intArg(args, "workers", 4);
        int maxWorkersPerTenant = intArg(args, "maxWorkersPerTenant", 0);
        EngineSettings d = EngineSettings.defaults();
        // production defaults except: a 250 ms poll (the default 5 s would dominate the suspension latency), no
        // recurring jobs, and a readiness timeout well beyond readyAfter
        EngineSettings settings = new EngineSettings("bench-readiness", workers, Duration.ofMillis(250), d.heartbeatInterval(),
                d.missedHeartbeats(), d.retryBase(), d.retryMax(), d.maxAttempts(), Duration.ofMinutes(10), "bench.test", "UTC",
                Set.of(), false, d.jobInterval()).withTenantLimits(maxWorkersPerTenant, 0);
        InMemoryProvider runtime = InMemoryProvider.builder().target("mem-1", ROOM).readyAfter(readyAfter).build();
        System.out.printf(Locale.ROOT, "%d provisions, ready %s after creation, %d workers, maxWorkersPerTenant %d, poll %s, "
                        + "recheck %s..%s, %d cores%n", instances, readyAfter, workers, maxWorkersPerTenant,
                settings.pollInterval(), settings.recheckFirst(), settings.recheckMax(), Runtime.getRuntime().availableProcessors());

        try (Berth berth = Berth.builder().database(database()).encryptionKeyset(SecretCipher.generateKeysetJson())
                .provider(runtime).engine(settings).build().start()) {
            berth.nodes().register(new Node("bench-node", InMemoryProvider.KIND, "mem-1", Map.of(), ROOM, Overcommit.NONE, 0,
                    null, NodeStatus.ONLINE));
            berth.plans().save(Plan.of("bench", "Bench", LIMITS, BackupPolicy.NONE));
            Tenant bulk = berth.tenants().create("bulk", "bulk@example.com", "Bulk");
            Tenant other = berth.tenants().create("other", "other@example.com", "Other");

            long setup = System.nanoTime();
            Instance probe = provision(berth, other);
            awaitActive(berth, other, 1, Duration.ofMinutes(5));
            System.out.printf(Locale.ROOT, "setup: the other tenant's instance ACTIVE after %.1f s%n", seconds(System.nanoTime() - setup));

            long start = System.nanoTime();
            List<String> ids = new ArrayList<>();
            for (int k = 0; k < instances; k++) ids.add(provision(berth, bulk).id());
            double submitted = seconds(System.nanoTime() - start);
            List<Double> suspendMs = Collections.synchronizedList(new ArrayList<>());
            List<Double> resumeMs = new ArrayList<>();
            while (active(berth, bulk) < ids.size()) {
                suspendMs.add(timed(berth, berth.instances().suspend(probe.id(), SuspensionReason.ADMIN)));
                resumeMs.add(timed(berth, berth.instances().resume(probe.id())));
                Poll.pause(Duration.ofMillis(500), "the next suspension");
            }
            double allActive = seconds(System.nanoTime() - start);
            System.out.printf(Locale.ROOT, "submitted %d provisions in %.1f s; all ACTIVE after %.1f s (readiness alone: %d s)%n",
                    instances, submitted, allActive, readyAfter.toSeconds());
            System.out.printf(Locale.ROOT, "runtime status calls: %d (%.1f per instance)%n",
                    runtime.calls(InMemoryProvider.Verb.STATUS), runtime.calls(InMemoryProvider.Verb.STATUS) / (double) (instances + 1));
            System.out.printf(Locale.ROOT, "suspension of the other tenant's instance meanwhile (%d): %s%n", suspendMs.size(), stats(suspendMs));
            System.out.printf(Locale.ROOT, "its resume (each waits for READY, one look) (%d): %s%n", resumeMs.size(), stats(resumeMs));
        }
        System.exit(0); // db-scheduler leaves non-daemon threads behind
    }

    private static Instance provision(Berth berth, Tenant t) {
        return berth.instances().provision(new ProvisionCommand(t.id(), "ghost", "bench", UUID.randomUUID().toString(), null));
    }

    /** Milliseconds until the operation has ended; it must succeed. */
    private static double timed(Berth berth, Operation op) {
        long t0 = System.nanoTime();
        Operation done = Poll.every(Duration.ofMillis(10)).atMost(Duration.ofMinutes(5))
                .until(() -> Optional.of(berth.operations().get(op.id())).filter(o -> o.status() != OperationStatus.IN_PROGRESS),
                        () -> new IllegalStateException(op.type() + " still in progress"));
        if (done.status() != OperationStatus.SUCCEEDED) throw new IllegalStateException(op.type() + " failed: " + done.lastError());
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void awaitActive(Berth berth, Tenant t, int count, Duration atMost) {
        Poll.every(Duration.ofMillis(200)).atMost(atMost).untilTrue(() -> active(berth, t) == count,
                () -> new IllegalStateException("not all ACTIVE after " + atMost));
    }

    /** How many of the tenant's instances are ACTIVE (one query). */
    private static long active(Berth berth, Tenant t) {
        return berth.instances().list(t.id()).stream().filter(i -> i.state() == InstanceState.ACTIVE).count();
    }

    private static String stats(List<Double> ms) {
        List<Double> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        if (sorted.isEmpty()) return "none";
        return String.format(Locale.ROOT, "p50 %.0f ms, p90 %.0f ms, max %.0f ms", sorted.get(sorted.size() / 2),
                sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.9) - 1)), sorted.get(sorted.size() - 1));
    }

    private static DatabaseSettings database() throws Exception {
        String url = env("BERTH_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/berth_test");
        String user = env("BERTH_TEST_POSTGRES_USER", "berth");
        String password = env("BERTH_TEST_POSTGRES_PASSWORD", "berth");
        try (var c = DriverManager.getConnection(url, user, password); var s = c.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
            s.execute("create schema " + SCHEMA);
        }
        return new DatabaseSettings(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA, user, password, 16);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (String a : args) {
            if (a.startsWith(name + "=")) return Integer.parseInt(a.substring(name.length() + 1));
        }
        return fallback;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
