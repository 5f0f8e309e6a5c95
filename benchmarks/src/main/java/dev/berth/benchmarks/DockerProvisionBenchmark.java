package dev.berth.benchmarks;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.berth.core.Berth;
import dev.berth.core.catalog.Catalog;
import dev.berth.core.events.BerthEvent;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.node.Capacity;
import dev.berth.core.node.Node;
import dev.berth.core.node.NodeStatus;
import dev.berth.core.node.Overcommit;
import dev.berth.core.plan.BackupPolicy;
import dev.berth.core.plan.Plan;
import dev.berth.core.secret.SecretCipher;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.core.tenant.Tenant;
import dev.berth.docker.DockerHostConfig;
import dev.berth.docker.DockerProvider;
import dev.berth.docker.DockerSettings;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.wait.Poll;
import dev.berth.testkit.image.TestAppImage;
import dev.berth.testkit.memory.InMemoryBackupStore;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end benchmark of provisioning on the local Docker engine (not JMH: one sample is a whole container
 * life, seconds long). In one run it measures, alternating so that machine noise hits both alike:
 * <ol>
 *   <li><b>baseline</b>: raw docker-java doing what the provider does for one component — network, volume,
 *       container with the same limits, start, poll the HTTP probe every 50 ms until it answers;</li>
 *   <li><b>Berth</b>: {@code instances().provision(...)} through the whole engine (H2, durable operation on
 *       db-scheduler, placement, generated secrets, Docker provider, readiness) until the
 *       INSTANCE_PROVISIONED event;</li>
 * </ol>
 * and reports the ratio of the medians (goal: below 1.2), then the wall time of N concurrent provisions through
 * Berth against N concurrent raw ones on as many threads as Berth has workers.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.berth.benchmarks.DockerProvisionBenchmark [samples]
 * [concurrent] [docker endpoint]} (defaults 15, 50 and {@code unix:///var/run/docker.sock}). Every instance has
 * its own network, and a daemon with Docker's default address pools has room for only about 30 networks: run
 * the concurrent part against a daemon with larger pools, e.g. the second one test.sh starts
 * ({@code unix:///run/berth-docker2.sock}). Needs Debian's busybox-static for the test image.
 */
public final class DockerProvisionBenchmark {

    private static final ResourceLimits LIMITS = new ResourceLimits(250, 1000, 64 * ResourceLimits.MIB, 128 * ResourceLimits.MIB, ResourceLimits.GIB);
    private static final int WORKERS = 8;
    private static final String PREFIX = "berthbench";

    private final DockerClient docker;
    private final DockerProvider provider;
    private final Berth berth;
    private final Tenant tenant;
    private final Map<String, CountDownLatch> ready = new ConcurrentHashMap<>();
    private final List<String> instances = Collections.synchronizedList(new ArrayList<>());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<Raw> raws = Collections.synchronizedList(new ArrayList<>());

    private DockerProvisionBenchmark(String endpoint) {
        TestAppImage.ensureAll(endpoint);
        var cfg = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(endpoint).build();
        docker = DockerClientImpl.getInstance(cfg, new ApacheDockerHttpClient.Builder().dockerHost(cfg.getDockerHost())
                .maxConnections(64).build());
        DockerSettings d = DockerSettings.defaults(List.of(new DockerHostConfig("local", URI.create(endpoint), false, null, 0)));
        provider = new DockerProvider(new DockerSettings(d.hosts(), PREFIX, null, null, null, d.pidsLimit(), d.restartPolicy(),
                d.readinessTimeout(), Duration.ofSeconds(1), d.apiTimeout()));
        provider.testConnection();
        berth = Berth.builder()
                .database(DatabaseSettings.h2Memory("bench-" + UUID.randomUUID()))
                .encryptionKeyset(SecretCipher.generateKeysetJson())
                .provider(provider)
                .catalog(Catalog.of(List.of(TestAppImage.template())))
                .backupStore(new InMemoryBackupStore())
                .engine(new EngineSettings("bench", WORKERS, Duration.ofMillis(100), Duration.ofSeconds(2), 4,
                        Duration.ofMillis(500), Duration.ofSeconds(5), 10, Duration.ofMinutes(2), "bench.test", "UTC", Set.of(),
                        false, Duration.ofMinutes(1)))
                .build().start();
        berth.onEvent(e -> {
            if (e.type() == BerthEvent.Type.INSTANCE_PROVISIONED) {
                ready.computeIfAbsent(e.instanceId(), k -> new CountDownLatch(1)).countDown();
            }
        });
        berth.nodes().register(new Node("bench-node", DockerProvider.KIND, "local", Map.of(),
                new Capacity(1_000_000, 1024 * ResourceLimits.GIB, 100_000 * ResourceLimits.GIB), Overcommit.NONE, 0, null, NodeStatus.ONLINE));
        berth.plans().save(Plan.of("bench", "Bench", LIMITS, BackupPolicy.NONE));
        tenant = berth.tenants().create("bench-" + UUID.randomUUID(), "bench@example.com", "Bench");
    }

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int concurrent = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        String endpoint = args.length > 2 ? args[2] : "unix://" + DockerSettings.DEFAULT_SOCKET;
        System.out.printf("Docker endpoint %s%n", endpoint);
        DockerProvisionBenchmark b = new DockerProvisionBenchmark(endpoint);
        try {
            b.run(samples, concurrent);
        } finally {
            b.close();
        }
        System.exit(0); // db-scheduler and the HTTP clients leave non-daemon threads behind
    }

    private void run(int samples, int concurrent) throws Exception {
        for (int i = 0; i < 3; i++) { // warm-up: JIT, H2, first container of each kind
            raw();
            viaBerth();
        }
        List<Long> raw = new ArrayList<>();
        List<Long> berthMs = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            raw.add(raw());
            berthMs.add(viaBerth());
        }
        System.out.printf("provision-to-ready, %d samples each, alternating (ms)%n", samples);
        System.out.printf("  raw docker-java  median %5d  p90 %5d  min %5d%n", median(raw), p90(raw), Collections.min(raw));
        System.out.printf("  Berth            median %5d  p90 %5d  min %5d%n", median(berthMs), p90(berthMs), Collections.min(berthMs));
        System.out.printf("  ratio Berth/raw (medians) %.2f  (goal < 1.2)%n", (double) median(berthMs) / median(raw));

        long rawWall = concurrentRaw(concurrent);
        long berthWall = concurrentBerth(concurrent);
        System.out.printf("%d concurrent provisions (Berth: %d workers; raw: %d threads)%n", concurrent, WORKERS, WORKERS);
        System.out.printf("  raw docker-java  %6d ms  %5.1f instances/min%n", rawWall, concurrent * 60_000.0 / rawWall);
        System.out.printf("  Berth            %6d ms  %5.1f instances/min%n", berthWall, concurrent * 60_000.0 / berthWall);
        System.out.printf("  ratio Berth/raw (wall time) %.2f%n", (double) berthWall / rawWall);
    }

    // ---------------------------------------------------------------- Berth

    private long viaBerth() throws InterruptedException {
        long start = System.nanoTime();
        String id = submit();
        await(id);
        long ms = (System.nanoTime() - start) / 1_000_000;
        provider.terminate(id);
        return ms;
    }

    private String submit() {
        Instance i = berth.instances().provision(new ProvisionCommand(tenant.id(), TestAppImage.APP_ID, "bench", UUID.randomUUID().toString(), null));
        ready.computeIfAbsent(i.id(), k -> new CountDownLatch(1));
        instances.add(i.id());
        return i.id();
    }

    private void await(String id) throws InterruptedException {
        if (!ready.get(id).await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("instance " + id + " not provisioned: " + berth.instances().get(id));
        }
    }

    private long concurrentBerth(int n) throws InterruptedException {
        long start = System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(submit());
        for (String id : ids) await(id);
        long ms = (System.nanoTime() - start) / 1_000_000;
        ids.parallelStream().forEach(provider::terminate);
        return ms;
    }

    // ---------------------------------------------------------------- raw docker-java

    /** One raw container: its name, id and when it answered its probe. */
    private record Raw(String name, String id, long readyNanos) { }

    /** One sample: the raw provision's time to ready (ms); clean-up afterwards is not timed. */
    private long raw() {
        long start = System.nanoTime();
        Raw r = rawProvision();
        removeRaw(r);
        return (r.readyNanos() - start) / 1_000_000;
    }

    /** The same objects the provider makes for one HTTP component, then the same readiness wait. */
    private Raw rawProvision() {
        String name = PREFIX + "-raw-" + UUID.randomUUID().toString().substring(0, 8);
        raws.add(new Raw(name, null, 0)); // so that close() removes whatever a failure leaves behind
        docker.createNetworkCmd().withName(name).withDriver("bridge").withLabels(Map.of("berthbench", "raw")).exec();
        docker.createVolumeCmd().withName(name + "-data").withLabels(Map.of("berthbench", "raw")).exec();
        String id = docker.createContainerCmd(TestAppImage.image(TestAppImage.V1)).withName(name)
                .withEnv("APP_URL=https://" + name + ".bench.test", "APP_SECRET=" + UUID.randomUUID())
                .withLabels(Map.of("berthbench", "raw"))
                .withHostConfig(HostConfig.newHostConfig().withNanoCPUs(1_000_000_000L).withCpuShares(256)
                        .withMemory(LIMITS.memoryLimitBytes()).withMemorySwap(LIMITS.memoryLimitBytes())
                        .withMemoryReservation(LIMITS.memoryRequestBytes()).withPidsLimit(512L)
                        .withRestartPolicy(RestartPolicy.unlessStoppedRestart()).withNetworkMode(name)
                        .withBinds(new Bind(name + "-data", new Volume(TestAppImage.DATA_PATH))))
                .exec().getId();
        docker.startContainerCmd(id).exec();
        String ip = null;
        while (true) {
            if (ip == null) {
                var n = docker.inspectContainerCmd(id).exec().getNetworkSettings().getNetworks().get(name);
                ip = n == null || n.getIpAddress() == null || n.getIpAddress().isBlank() ? null : n.getIpAddress();
            }
            if (ip != null && healthy(ip)) break;
            sleep(50);
        }
        return new Raw(name, id, System.nanoTime());
    }

    private void removeRaw(Raw r) {
        for (Runnable step : List.<Runnable>of(
                () -> docker.removeContainerCmd(r.name()).withForce(true).exec(),
                () -> docker.removeVolumeCmd(r.name() + "-data").exec(),
                () -> docker.removeNetworkCmd(r.name()).exec())) {
            try {
                step.run();
            } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
                // never created, or removed already
            }
        }
        raws.removeIf(x -> x.name().equals(r.name()));
    }

    private long concurrentRaw(int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            long start = System.nanoTime();
            List<Future<Raw>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) all.add(pool.submit(this::rawProvision));
            List<Raw> done = new ArrayList<>();
            for (Future<Raw> f : all) done.add(f.get());
            long lastReady = done.stream().mapToLong(Raw::readyNanos).max().orElse(start);
            done.parallelStream().forEach(this::removeRaw);
            return (lastReady - start) / 1_000_000;
        } finally {
            pool.shutdownNow();
        }
    }

    private boolean healthy(String ip) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + ip + ":" + TestAppImage.PORT + TestAppImage.HEALTH_PATH))
                    .timeout(Duration.ofSeconds(2)).build();
            return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- misc

    private void close() {
        for (Raw r : List.copyOf(raws)) {
            try {
                removeRaw(r);
            } catch (RuntimeException e) {
                System.err.println("cleanup of " + r.name() + " failed: " + e.getMessage());
            }
        }
        for (String id : instances) {
            try {
                provider.terminate(id);
            } catch (RuntimeException e) {
                System.err.println("cleanup of " + id + " failed: " + e.getMessage());
            }
        }
        berth.close();
        provider.close();
    }

    private static long median(List<Long> v) {
        List<Long> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static long p90(List<Long> v) {
        List<Long> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(s.size() * 0.9) - 1));
    }

    private static void sleep(long ms) {
        Poll.pause(Duration.ofMillis(ms), "the next benchmark round");
    }
}
