package dev.berth.benchmarks;

import dev.berth.core.Berth;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.lifecycle.Reconciler;
import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.plan.BackupPolicy;
import dev.berth.core.plan.Plan;
import dev.berth.core.secret.SecretCipher;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.core.tenant.Tenant;
import dev.berth.spi.NodeRef;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.testkit.memory.InMemoryProvider;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Measured harness (not JMH) for one reconcile pass over many instances: {@code Berth.reconciler().reconcile()} on
 * the in-memory runtime, over embedded H2 and PostgreSQL. The instances are written straight into the database
 * (ACTIVE, on {@code targets} nodes) and created on the in-memory runtime, so the setup takes seconds, not one
 * provision operation each. The engine's workers are not started: a pass only accepts the REPAIR operations of
 * what drifted, and that is what is measured.
 *
 * <p>Per database: {@code warmup} passes, then {@code passes} measured passes with no drift, then {@code passes}
 * passes each with {@code drifted} fresh instances stopped behind Berth's back (each costs one accepted
 * operation). Every pass prints its wall time and the runtime calls it made (inventory, status).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.berth.benchmarks.ReconcilerBenchmark
 * [instances=10000] [targets=4] [passes=5] [warmup=3] [drifted=100] [db=h2,postgres]}. PostgreSQL comes from
 * {@code BERTH_BENCH_POSTGRES_URL} / {@code _USER} / {@code _PASSWORD} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/berth_test}, berth/berth), in its own schema {@value #SCHEMA}.
 */
public final class ReconcilerBenchmark {

    static final String SCHEMA = "berth_reconciler_bench";
    private static final ResourceLimits LIMITS =
            new ResourceLimits(250, 1000, 256 * ResourceLimits.MIB, 512 * ResourceLimits.MIB, ResourceLimits.GIB);

    public static void main(String[] args) throws Exception {
        int instances = intArg(args, "instances", 10000);
        int targets = intArg(args, "targets", 4);
        int passes = intArg(args, "passes", 5);
        int warmup = intArg(args, "warmup", 3);
        int drifted = intArg(args, "drifted", 100);
        List<String> dbs = Arrays.asList(stringArg(args, "db", "h2,postgres").split(","));
        System.out.printf("Reconcile pass: %d ACTIVE instances on %d targets, %d cores%n", instances, targets,
                Runtime.getRuntime().availableProcessors());
        List<String> rows = new ArrayList<>();
        for (String db : dbs) {
            rows.addAll(run(db, database(db), instances, targets, passes, warmup, drifted));
        }
        System.out.println();
        System.out.println("| db       | pass       | instances | drifted | ms (min) | ms (median) | ms (max) | inventory calls | status calls |");
        System.out.println("|----------|------------|-----------|---------|----------|-------------|----------|-----------------|--------------|");
        rows.forEach(System.out::println);
    }

    private static List<String> run(String db, DatabaseSettings settings, int count, int targets, int passes,
                                    int warmup, int drifted) throws SQLException {
        Map<String, Capacity> capacities = new LinkedHashMap<>();
        for (int t = 1; t <= targets; t++) {
            capacities.put("mem-" + t, new Capacity(1_000_000_000L, 1L << 50, 1L << 52));
        }
        InMemoryProvider provider = new InMemoryProvider(capacities);
        EngineSettings engine = new EngineSettings("reconciler-bench", 1, Duration.ofSeconds(5), Duration.ofSeconds(30), 6,
                Duration.ofSeconds(1), Duration.ofSeconds(10), 3, Duration.ofSeconds(10), "apps.bench", "UTC", Set.of(), false,
                Duration.ofMinutes(1));
        try (Berth berth = Berth.builder().database(settings).encryptionKeyset(SecretCipher.generateKeysetJson())
                .provider(provider).engine(engine).build()) {
            berth.plans().save(Plan.of("small", "Small", LIMITS, BackupPolicy.NONE));
            Tenant tenant = berth.tenants().create("bench-" + UUID.randomUUID(), "bench@example.com", "Bench");
            for (String target : capacities.keySet()) {
                berth.nodes().register(new Node("node-" + target, InMemoryProvider.KIND, target, Map.of(),
                        capacities.get(target), Overcommit.NONE, 0, null, NodeStatus.ONLINE));
            }
            List<String> ids = seed(berth, provider, tenant.id(), count, List.copyOf(capacities.keySet()));
            List<String> rows = new ArrayList<>();
            for (int k = 0; k < warmup; k++) {
                berth.reconciler().reconcile();
            }
            rows.add(measure(db, "no drift", berth, provider, count, passes, 0, ids));
            rows.add(measure(db, "drift", berth, provider, count, passes, drifted, ids));
            return rows;
        }
    }

    /** Runs {@code passes} passes, each after stopping {@code drifted} instances not stopped before. */
    private static String measure(String db, String phase, Berth berth, InMemoryProvider provider, int count, int passes,
                                  int drifted, List<String> ids) {
        long[] millis = new long[passes];
        int inventories = 0;
        int statuses = 0;
        for (int p = 0; p < passes; p++) {
            for (int k = 0; k < drifted; k++) {
                provider.suspend(ids.remove(ids.size() - 1));
            }
            int inv = provider.calls(InMemoryProvider.Verb.INVENTORY);
            int st = provider.calls(InMemoryProvider.Verb.STATUS);
            long start = System.nanoTime();
            List<Reconciler.Drift> drifts = berth.reconciler().reconcile();
            millis[p] = (System.nanoTime() - start) / 1_000_000;
            inventories = provider.calls(InMemoryProvider.Verb.INVENTORY) - inv;
            statuses = provider.calls(InMemoryProvider.Verb.STATUS) - st;
            long repairs = drifts.stream().filter(Reconciler.Drift::repaired).count();
            System.out.printf("[%s] %s pass %d: %d ms, %d drifts (%d repairs started), %d inventory calls, %d status calls%n",
                    db, phase, p + 1, millis[p], drifts.size(), repairs, inventories, statuses);
        }
        Arrays.sort(millis);
        return String.format(Locale.ROOT, "| %-8s | %-10s | %9d | %7d | %8d | %11d | %8d | %15d | %12d |", db, phase, count,
                drifted, millis[0], millis[passes / 2], millis[passes - 1], inventories, statuses);
    }

    /** Writes {@code count} ACTIVE instances spread over the targets, and creates each on the in-memory runtime. */
    private static List<String> seed(Berth berth, InMemoryProvider provider, String tenantId, int count, List<String> targets)
            throws SQLException {
        List<String> ids = new ArrayList<>(count);
        Timestamp now = Timestamp.from(Instant.now());
        long t0 = System.nanoTime();
        try (Connection c = berth.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("insert into instances (id, tenant_id, app_id, app_version, plan_id, slug,"
                     + " hostname, node_id, state, entitlement, entitlement_at, created_at, updated_at, version)"
                     + " values (?, ?, 'ghost', '5', 'small', ?, ?, ?, 'ACTIVE', 'ACTIVE', ?, ?, ?, 0)")) {
            c.setAutoCommit(false);
            for (int k = 0; k < count; k++) {
                String id = UUID.randomUUID().toString();
                String slug = "b" + Integer.toString(k, 36) + "x" + id.substring(0, 8);
                String target = targets.get(k % targets.size());
                ps.setString(1, id);
                ps.setString(2, tenantId);
                ps.setString(3, slug);
                ps.setString(4, slug + ".apps.bench");
                ps.setString(5, "node-" + target);
                ps.setTimestamp(6, now);
                ps.setTimestamp(7, now);
                ps.setTimestamp(8, now);
                ps.addBatch();
                if (k % 1000 == 999) ps.executeBatch();
                provider.provision(new ProvisionRequest(id, tenantId, slug, slug + ".apps.bench", "ghost", "5", List.of(),
                        LIMITS, new NodeRef("node-" + target, target, Map.of()), Map.of()));
                ids.add(id);
            }
            ps.executeBatch();
            c.commit();
        }
        System.out.printf("seeded %d instances in %d ms%n", count, (System.nanoTime() - t0) / 1_000_000);
        return ids;
    }

    private static DatabaseSettings database(String db) throws SQLException {
        if (!db.equals("postgres")) {
            return DatabaseSettings.h2Memory("reconciler-bench-" + UUID.randomUUID());
        }
        String url = env("BERTH_BENCH_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/berth_test");
        String user = env("BERTH_BENCH_POSTGRES_USER", "berth");
        String password = env("BERTH_BENCH_POSTGRES_PASSWORD", "berth");
        try (var c = DriverManager.getConnection(url, user, password); var s = c.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
            s.execute("create schema " + SCHEMA);
        }
        return new DatabaseSettings(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA, user, password, 8);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static int intArg(String[] args, String name, int fallback) {
        return Integer.parseInt(stringArg(args, name, Integer.toString(fallback)));
    }

    private static String stringArg(String[] args, String name, String fallback) {
        for (String a : args) {
            if (a.startsWith(name + "=")) return a.substring(name.length() + 1);
        }
        return fallback;
    }
}
