package dev.berth.benchmarks;

import dev.berth.core.Berth;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.lifecycle.PlacementProbe;
import dev.berth.core.node.Capacity;
import dev.berth.core.plan.BackupPolicy;
import dev.berth.core.plan.Plan;
import dev.berth.core.secret.SecretCipher;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.spi.ResourceLimits;
import dev.berth.testkit.memory.InMemoryProvider;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Placements committed per second on PostgreSQL with two Berth processes (two independent {@link Berth} instances in
 * this JVM, each with its own connection pool, scheduler and placement snapshot, on one database), over the
 * in-memory runtime; see benchmarks/README.md.
 *
 * <ul>
 *   <li>{@code mode=step}: the placement step alone, in a loop: {@code instances} provisions accepted while no node
 *       exists (the Berths are not started, so nothing runs them), then {@code nodes} nodes appear and each process
 *       places every other instance, oldest first, {@code threads} threads each, one transaction per placement
 *       ({@link PlacementProbe}).</li>
 *   <li>{@code mode=engine}: the whole engine path: both Berths started, {@code instances} provisions submitted to
 *       them alternately; the rate is how fast instances get a node (PLACE steps committed).</li>
 * </ul>
 * Either way the run ends with the pure decision rate on the final fleet and a check that no node holds more than
 * its allocatable resources.
 */
public final class PersistedPlacementBenchmark {

    private static final long MIB = ResourceLimits.MIB;

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>(Map.of("mode", "step", "nodes", "5000", "instances", "10000",
                "threads", "2", "strategy", "least-instances", "schema", "berth_bench_place",
                "url", env("BERTH_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/berth_test"),
                "user", env("BERTH_TEST_POSTGRES_USER", "berth"), "password", env("BERTH_TEST_POSTGRES_PASSWORD", "berth")));
        for (String arg : args) a.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        int nodes = Integer.parseInt(a.get("nodes"));
        int instances = Integer.parseInt(a.get("instances"));
        int threads = Integer.parseInt(a.get("threads"));
        boolean engine = a.get("mode").equals("engine");
        String schema = a.get("schema");
        System.out.printf("[setup] mode=%s nodes=%d instances=%d threads/process=%d strategy=%s schema=%s%n",
                a.get("mode"), nodes, instances, threads, a.get("strategy"), schema);

        try (Connection c = DriverManager.getConnection(a.get("url"), a.get("user"), a.get("password"))) {
            c.createStatement().execute("drop schema if exists " + schema + " cascade");
            c.createStatement().execute("create schema " + schema);
        }
        String url = a.get("url") + (a.get("url").contains("?") ? "&" : "?") + "currentSchema=" + schema;
        DatabaseSettings db = new DatabaseSettings(url, a.get("user"), a.get("password"), 10);
        Map<String, Capacity> targets = new LinkedHashMap<>();
        for (int k = 0; k < nodes; k++) targets.put("t-" + k, new Capacity(1_000_000, 1_000_000 * MIB, 1_000_000 * MIB));
        InMemoryProvider runtime = InMemoryProvider.builder().targets(targets).build(); // one runtime, shared
        String keyset = SecretCipher.generateKeysetJson();
        Berth first = berth(db, keyset, runtime, "bench-a", a.get("strategy"));
        Berth second = berth(db, keyset, runtime, "bench-b", a.get("strategy"));
        first.plans().save(new Plan("small", "Small", new ResourceLimits(250, 1000, 256 * MIB, 512 * MIB, ResourceLimits.GIB),
                BackupPolicy.NONE, null, Duration.ofDays(7), Duration.ofDays(30), Map.of()));
        List<String> tenants = new ArrayList<>();
        for (int k = 0; k < 100; k++) tenants.add(first.tenants().create("bench-" + k, "bench-" + k + "@example.com", "Bench " + k).id());

        long slots;
        double rate;
        if (engine) {
            slots = insertNodes(url, a, nodes);
            first.start();
            second.start();
            long start = System.nanoTime();
            submit(List.of(first, second), tenants, instances, 4);
            long submitted = System.nanoTime();
            long placedAt = awaitPlaced(url, a, instances, Duration.ofMinutes(10));
            rate = instances / ((placedAt - start) / 1e9);
            System.out.printf("[engine] %d provisions accepted in %.1f s; all placed after %.1f s%n", instances,
                    (submitted - start) / 1e9, (placedAt - start) / 1e9);
        } else {
            submit(List.of(first), tenants, instances, 4); // not started: accepted, nothing runs them
            slots = insertNodes(url, a, nodes);
            List<String> ids = new ArrayList<>();
            try (Connection c = DriverManager.getConnection(url, a.get("user"), a.get("password"));
                 var rs = c.createStatement().executeQuery("select id from instances order by created_at, id")) {
                while (rs.next()) ids.add(rs.getString(1));
            }
            List<PlacementProbe> probes = List.of(PlacementProbe.of(first), PlacementProbe.of(second));
            ExecutorService pool = Executors.newFixedThreadPool(2 * threads);
            AtomicInteger placed = new AtomicInteger();
            List<AtomicInteger> cursors = List.of(new AtomicInteger(), new AtomicInteger());
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 2 * threads; t++) {
                int process = t % 2;
                PlacementProbe probe = probes.get(process);
                AtomicInteger cursor = cursors.get(process);
                done.add(pool.submit(() -> {
                    // each process takes every other instance, oldest first; its threads share that half
                    for (int k; (k = 2 * cursor.getAndIncrement() + process) < ids.size(); ) {
                        if (probe.place(ids.get(k))) placed.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            long elapsed = System.nanoTime() - start;
            pool.shutdown();
            rate = placed.get() / (elapsed / 1e9);
            System.out.printf("[step] %d of %d placed in %.2f s%n", placed.get(), ids.size(), elapsed / 1e9);
        }
        double pure = PlacementProbe.of(first).pureDecisionsPerSecond("small", tenants.get(0), 2_000);
        System.out.printf("[result] placements committed: %.0f/s   pure decision (same fleet, same JVM): %.0f/s   ratio %.3f%n",
                rate, pure, rate / pure);
        for (Berth b : List.of(first, second)) System.out.println("[stats] " + stats(b));
        System.out.println("[check] " + overfill(url, a, slots));
        second.close();
        first.close();
        System.exit(0);
    }

    private static Berth berth(DatabaseSettings db, String keyset, InMemoryProvider runtime, String name, String strategy) {
        return Berth.builder().database(db).encryptionKeyset(keyset).provider(runtime).placement(strategy)
                .engine(new EngineSettings(name, 4, Duration.ofMillis(50), Duration.ofSeconds(2), 4, Duration.ofMillis(100),
                        Duration.ofSeconds(1), 4, Duration.ofSeconds(30), "apps.bench", "UTC", Set.of(), false, Duration.ofSeconds(1)))
                .build();
    }

    /** {@code count} provisions of the small plan, spread over the tenants and submitted to the Berths in turn. */
    private static void submit(List<Berth> berths, List<String> tenants, int count, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                for (int k; (k = next.getAndIncrement()) < count; ) {
                    berths.get(k % berths.size()).instances().provision(new ProvisionCommand(tenants.get(k % tenants.size()),
                            "ghost", "small", UUID.randomUUID().toString(), null));
                }
                return null;
            }));
        }
        for (Future<?> f : done) f.get();
        pool.shutdown();
    }

    /** Nodes n-0000… on targets t-…, each with room for 2 to 4 small instances (fixed seed); returns the slots. */
    private static long insertNodes(String url, Map<String, String> a, int nodes) throws SQLException {
        Random random = new Random(42);
        long slots = 0;
        try (Connection c = DriverManager.getConnection(url, a.get("user"), a.get("password"));
             var ps = c.prepareStatement("insert into nodes (id, provider_kind, target, labels, cpu_millis, memory_bytes,"
                     + " disk_bytes, overcommit_cpu, overcommit_memory, overcommit_disk, reserved_fraction, status, version)"
                     + " values (?, ?, ?, '{}', ?, ?, ?, 1, 1, 1, 0, 'ONLINE', 0)")) {
            for (int k = 0; k < nodes; k++) {
                int s = 2 + random.nextInt(3);
                slots += s;
                ps.setString(1, String.format("n-%05d", k));
                ps.setString(2, InMemoryProvider.KIND);
                ps.setString(3, "t-" + k);
                ps.setLong(4, 250L * s);
                ps.setLong(5, 256L * MIB * s);
                ps.setLong(6, 200L * ResourceLimits.GIB);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return slots;
    }

    private static long awaitPlaced(String url, Map<String, String> a, int count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = DriverManager.getConnection(url, a.get("user"), a.get("password"))) {
            while (System.nanoTime() < deadline) {
                try (var rs = c.createStatement().executeQuery("select count(*) from instances where node_id is not null")) {
                    rs.next();
                    if (rs.getLong(1) >= count) return System.nanoTime();
                }
                dev.berth.spi.wait.Poll.pause(Duration.ofMillis(20), "placements to commit");
            }
        }
        throw new IllegalStateException("not all placed within " + timeout);
    }

    /** Nodes whose instances take more CPU or memory than they have (no overcommit, no reserve here). */
    private static String overfill(String url, Map<String, String> a, long slots) throws SQLException {
        String sql = "select n.id, n.cpu_millis, n.memory_bytes, count(i.id), coalesce(sum(p.cpu_request_millis), 0),"
                + " coalesce(sum(p.memory_request_bytes), 0) from nodes n left join instances i on i.node_id = n.id"
                + " and i.state not in ('TERMINATED', 'FAILED') left join plans p on p.id = i.plan_id"
                + " group by n.id, n.cpu_millis, n.memory_bytes";
        int over = 0;
        long placed = 0;
        try (Connection c = DriverManager.getConnection(url, a.get("user"), a.get("password"));
             var rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                placed += rs.getLong(4);
                if (rs.getLong(5) > rs.getLong(2) || rs.getLong(6) > rs.getLong(3)) over++;
            }
        }
        return String.format("%d instances on nodes with %d slots; overfilled nodes: %d", placed, slots, over);
    }

    /** The Berth's placement statistics, when its core has them (the fleet-locking placement did not). */
    private static String stats(Berth b) {
        try {
            return String.valueOf(b.capacity().getClass().getMethod("placementStats").invoke(b.capacity()));
        } catch (ReflectiveOperationException e) {
            return "n/a";
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
