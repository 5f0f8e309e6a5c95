package dev.berth.docker;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.HostConfig;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.SecretValue;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.error.BerthException;
import dev.berth.testkit.image.TestAppImage;
import dev.berth.testkit.memory.InMemoryBackupStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the Docker backend promises beyond the TCK, checked on the real engine: limits in {@code HostConfig},
 * network isolation between tenants, env and secrets, upgrade with rollback, byte-exact backups, Traefik labels.
 */
class DockerProviderIT {

    private static final ResourceLimits PLAN = new ResourceLimits(300, 1500, 96 * ResourceLimits.MIB, 192 * ResourceLimits.MIB, ResourceLimits.GIB);
    private static final ResourceLimits BIGGER = new ResourceLimits(600, 2000, 128 * ResourceLimits.MIB, 256 * ResourceLimits.MIB, 2 * ResourceLimits.GIB);
    private static final String PROXY_NETWORK = "berthit-proxy";

    private static DockerProvider provider;
    private final List<String> created = new ArrayList<>();

    @BeforeAll
    static void connect() {
        TestAppImage.ensureAll();
        DockerSettings s = DockerTestEnv.localSettings().withProxy(PROXY_NETWORK, "websecure", "letsencrypt");
        provider = new DockerProvider(s);
        provider.testConnection();
    }

    @AfterAll
    static void close() {
        if (provider != null) provider.close();
    }

    @AfterEach
    void terminateAll() {
        created.forEach(provider::terminate);
        for (String id : created) {
            assertThat(DockerTestEnv.leftovers(provider, id)).as("leftovers of %s", id).isEmpty();
        }
    }

    @Test
    void planLimitsAndPidsLimitAreInTheHostConfigAndChangeLive() {
        String id = newId();
        provider.provision(twoComponents(id, TestAppImage.V1, PLAN, Map.of()));

        List<HostConfig> configs = hostConfigs(id);
        assertThat(configs).hasSize(2).allSatisfy(hc -> {
            assertThat(hc.getPidsLimit()).isEqualTo(512L);
            assertThat(hc.getMemorySwap()).as("no swap beyond the memory limit").isEqualTo(hc.getMemory());
            assertThat(hc.getRestartPolicy().getName()).isEqualTo("unless-stopped");
        });
        assertThat(configs.stream().mapToLong(HostConfig::getNanoCPUs).sum()).as("NanoCpus").isEqualTo(1_500_000_000L);
        assertThat(configs.stream().mapToLong(HostConfig::getMemory).sum()).as("Memory").isEqualTo(192 * ResourceLimits.MIB);
        assertThat(configs.stream().mapToLong(HostConfig::getMemoryReservation).sum()).as("MemoryReservation").isEqualTo(96 * ResourceLimits.MIB);
        assertThat(configs.stream().mapToLong(hc -> hc.getCpuShares().longValue()).sum()).as("CpuShares").isEqualTo(307);
        List<String> startedBefore = startedAt(id);

        InstanceStatus changed = provider.changePlan(id, BIGGER);

        assertThat(changed.appliedLimits()).isEqualTo(BIGGER);
        assertThat(hostConfigs(id).stream().mapToLong(HostConfig::getNanoCPUs).sum()).isEqualTo(2_000_000_000L);
        assertThat(hostConfigs(id).stream().mapToLong(HostConfig::getMemory).sum()).isEqualTo(256 * ResourceLimits.MIB);
        assertThat(startedAt(id)).as("a live resize restarts nothing").isEqualTo(startedBefore);
        assertThat(provider.liveResize()).isPresent();
    }

    @Test
    void nodeReportsEngineCapacityAndUsageOfBerthContainers() {
        String id = newId();
        provider.provision(twoComponents(id, TestAppImage.V1, PLAN, Map.of()));

        NodeCapacity node = provider.nodes().stream().filter(n -> n.target().equals(DockerTestEnv.LOCAL)).findFirst().orElseThrow();

        var info = client().infoCmd().exec();
        assertThat(node.cpuMillis()).isEqualTo(info.getNCPU() * 1000L);
        assertThat(node.memoryBytes()).isEqualTo(info.getMemTotal());
        assertThat(node.diskBytes()).isPositive();
        assertThat(node.usedMemoryBytes()).as("memory used by Berth's running containers (stats)").isPositive();
        assertThat(node.usedDiskBytes()).as("disk quotas of Berth's instances").isGreaterThanOrEqualTo(PLAN.diskBytes());
    }

    @Test
    void namesLabelsNetworksAndTraefikRouting() {
        String id = newId();
        provider.provision(twoComponents(id, TestAppImage.V1, PLAN, Map.of()));

        InspectContainerResponse app = inspect(id, "app");
        InspectContainerResponse db = inspect(id, "db");
        assertThat(app.getName()).isEqualTo("/berthit-" + id + "-app");
        assertThat(app.getConfig().getLabels()).containsEntry("dev.berth.instance", id)
                .containsEntry("dev.berth.tenant", "tenant-" + id)
                .containsEntry("dev.berth.component", "app")
                .containsEntry("dev.berth.version", TestAppImage.V1)
                .containsEntry("traefik.enable", "true")
                .containsEntry("traefik.http.routers.berthit-" + id + ".rule", "Host(`" + id + ".apps.test`)")
                .containsEntry("traefik.http.routers.berthit-" + id + ".entrypoints", "websecure")
                .containsEntry("traefik.http.routers.berthit-" + id + ".tls.certresolver", "letsencrypt")
                .containsEntry("traefik.http.services.berthit-" + id + ".loadbalancer.server.port", "8080")
                .containsEntry("traefik.docker.network", PROXY_NETWORK);
        assertThat(app.getNetworkSettings().getNetworks()).containsOnlyKeys("berthit-" + id, PROXY_NETWORK);
        assertThat(db.getNetworkSettings().getNetworks()).as("only the HTTP component joins the proxy network")
                .containsOnlyKeys("berthit-" + id);
        assertThat(db.getConfig().getLabels()).doesNotContainKey("traefik.enable");
        assertThat(app.getMounts()).singleElement().satisfies(m -> {
            assertThat(m.getName()).isEqualTo("berthit-" + id + "-app-data-g1");
            assertThat(m.getDestination().getPath()).isEqualTo("/data");
        });
    }

    @Test
    void tenantsCannotReachEachOtherButEachReachesItsOwnDatabase() {
        String a = newId();
        String b = newId();
        provider.provision(twoComponents(a, TestAppImage.V1, PLAN, Map.of()));
        provider.provision(twoComponents(b, TestAppImage.V1, PLAN, Map.of()));

        assertThat(fetch(a, "app", "db", "/cgi-bin/env").output()).as("a's app reaches a's db by name").contains("APP_INSTANCE=" + a + "-db");
        assertThat(fetch(b, "app", "db", "/cgi-bin/env").output()).contains("APP_INSTANCE=" + b + "-db");

        for (String[] pair : new String[][] {{a, b}, {b, a}}) {
            String from = pair[0];
            String to = pair[1];
            for (String component : List.of("app", "db")) {
                for (String ip : addresses(to, component)) {
                    DockerTestEnv.ExecResult r = fetch(from, "app", ip, "/cgi-bin/env");
                    assertThat(r.code()).as("%s/app reaching %s/%s at %s: %s", from, to, component, ip, r.output()).isNotZero();
                    assertThat(r.output()).doesNotContain("APP_INSTANCE=" + to);
                }
            }
        }
        // the proxy (on the host network) still reaches every HTTP component on the proxy network
        for (String id : List.of(a, b)) {
            String ip = inspect(id, "app").getNetworkSettings().getNetworks().get(PROXY_NETWORK).getIpAddress();
            assertThat(httpGet("http://" + ip + ":8080/cgi-bin/env")).contains("APP_INSTANCE=" + id + "-app");
        }
    }

    @Test
    void envAndSecretsArriveButNoSecretInLabelsLogsOrErrors() {
        String id = newId();
        String secret = "s3cr3t-" + HexFormat.of().formatHex(randomBytes(12));
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try {
            InstanceStatus status = provider.provision(twoComponents(id, TestAppImage.V1, PLAN, Map.of("DB_PASSWORD", SecretValue.of(secret))));

            String env = httpGet("http://" + status.endpoint() + "/cgi-bin/env");
            assertThat(env).contains("APP_INSTANCE=" + id + "-app", "DB_HOST=db", "DB_PASSWORD=" + secret);
            assertThat(fetch(id, "app", "db", "/cgi-bin/env").output()).contains("DB_PASSWORD=" + secret);
            assertThat(status.toString()).doesNotContain(secret);
            for (String component : List.of("app", "db")) {
                assertThat(inspect(id, component).getConfig().getLabels().values()).noneMatch(v -> v.contains(secret));
                assertThat(inspect(id, component).getConfig().getLabels()).containsEntry("dev.berth.secret-keys", "DB_PASSWORD");
                assertThat(String.join("\n", provider.logs().orElseThrow().tail(id, component, 200))).doesNotContain(secret);
            }
            // a failure on the same instance (bad upgrade) must not leak it either
            assertThatThrownBy(() -> provider.upgrade(withUnreadyProbe(twoComponents(id, TestAppImage.UNREADY, PLAN,
                    Map.of("DB_PASSWORD", SecretValue.of(secret))))))
                    .isInstanceOf(BerthException.class)
                    .satisfies(e -> assertThat(e.toString()).doesNotContain(secret));
        } finally {
            root.detachAppender(logs);
        }
        assertThat(logs.list).isNotEmpty().noneMatch(e -> e.getFormattedMessage().contains(secret)
                || (e.getThrowableProxy() != null && e.getThrowableProxy().getMessage() != null && e.getThrowableProxy().getMessage().contains(secret)));
    }

    @Test
    void upgradeKeepsDataAndRollsBackWhenTheNewVersionIsNotReady() {
        String id = newId();
        InstanceStatus v1 = provider.provision(twoComponents(id, TestAppImage.V1, PLAN, Map.of()));
        DockerTestEnv.writeMarker(provider, id, "v1-data");
        assertThat(httpGet("http://" + v1.endpoint() + "/version")).isEqualTo(TestAppImage.V1 + "\n");

        InstanceStatus v2 = provider.upgrade(twoComponents(id, TestAppImage.V2, PLAN, Map.of()));

        assertThat(v2.appVersion()).isEqualTo(TestAppImage.V2);
        assertThat(httpGet("http://" + v2.endpoint() + "/version")).isEqualTo(TestAppImage.V2 + "\n");
        assertThat(DockerTestEnv.readMarker(provider, id)).contains("v1-data");
        DockerTestEnv.writeMarker(provider, id, "v2-data");

        assertThatThrownBy(() -> provider.upgrade(withUnreadyProbe(twoComponents(id, TestAppImage.UNREADY, PLAN, Map.of()))))
                .isInstanceOf(BerthException.class)
                .hasMessageContaining("rolled back to " + TestAppImage.V2)
                .satisfies(e -> assertThat(((BerthException) e).retryable()).as("retryable").isFalse());

        InstanceStatus after = provider.status(id);
        assertThat(after.state()).isEqualTo(RuntimeState.RUNNING);
        assertThat(after.appVersion()).isEqualTo(TestAppImage.V2);
        assertThat(httpGet("http://" + after.endpoint() + "/version")).isEqualTo(TestAppImage.V2 + "\n");
        assertThat(DockerTestEnv.readMarker(provider, id)).contains("v2-data");
        assertThat(client().listContainersCmd().withShowAll(true).withLabelFilter(Map.of("dev.berth.instance", id)).exec())
                .as("containers after the rollback").hasSize(2)
                .allSatisfy(c -> assertThat(c.getImage()).isEqualTo(TestAppImage.image(TestAppImage.V2)));
    }

    @Test
    void backupAndRestoreRoundTripByteForByte() {
        String id = newId();
        provider.provision(twoComponents(id, TestAppImage.V1, PLAN, Map.of()));
        for (String component : List.of("app", "db")) {
            exec(id, component, "sh", "-c", "mkdir -p /data/sub/deeper && head -c 300000 /dev/urandom > /data/blob.bin"
                    + " && head -c 777 /dev/urandom > /data/sub/deeper/small && printf '' > /data/empty"
                    + " && chmod 600 /data/sub/deeper/small && ln -s blob.bin /data/link");
        }
        Map<String, String> before = treeDigest(id);
        InMemoryBackupStore store = new InMemoryBackupStore();

        BackupManifest manifest = provider.backups().orElseThrow().backup(id, "b-" + id, store);
        for (String component : List.of("app", "db")) {
            exec(id, component, "sh", "-c", "rm -rf /data/sub && head -c 10 /dev/urandom > /data/blob.bin && echo new > /data/added");
        }
        assertThat(treeDigest(id)).isNotEqualTo(before);
        String volumeBefore = inspect(id, "app").getMounts().get(0).getName();

        provider.backups().orElseThrow().restore(id, manifest, store);

        assertThat(treeDigest(id)).as("files, modes and links after the restore").isEqualTo(before);
        assertThat(inspect(id, "app").getMounts().get(0).getName()).as("restored into a fresh volume")
                .isNotEqualTo(volumeBefore).endsWith("-g2");
        assertThat(client().listVolumesCmd().withFilter("name", List.of(volumeBefore)).exec().getVolumes())
                .as("the replaced volume is removed").isNullOrEmpty();
        assertThat(provider.status(id).state()).isEqualTo(RuntimeState.RUNNING);
    }

    @Test
    void restoreRefusesACorruptArchiveAndChangesNothing() {
        String id = newId();
        provider.provision(twoComponents(id, TestAppImage.V1, PLAN, Map.of()));
        DockerTestEnv.writeMarker(provider, id, "keep");
        InMemoryBackupStore store = new InMemoryBackupStore();
        BackupManifest good = provider.backups().orElseThrow().backup(id, "b-" + id, store);
        InMemoryBackupStore corrupt = new InMemoryBackupStore();
        byte[] bytes = readAll(store.open(good.backupId()));
        bytes[bytes.length / 2] ^= 0x55;
        corrupt.put(good, new ByteArrayInputStream(bytes));
        DockerTestEnv.writeMarker(provider, id, "current");

        assertThatThrownBy(() -> provider.backups().orElseThrow().restore(id, good, corrupt))
                .isInstanceOf(BerthException.class).hasMessageContaining("does not match its manifest");

        assertThat(DockerTestEnv.readMarker(provider, id)).contains("current");
        assertThat(inspect(id, "app").getMounts().get(0).getName()).endsWith("-g1");
    }

    // ---------------------------------------------------------------- helpers

    private String newId() {
        String id = "dit-" + HexFormat.of().formatHex(randomBytes(4));
        created.add(id);
        return id;
    }

    /** app (HTTP) + db, both the test image, the app told where its db is, the secrets on both. */
    static ProvisionRequest twoComponents(String id, String version, ResourceLimits plan, Map<String, SecretValue> secrets) {
        ComponentSpec app = TestAppImage.component("app", version, true, Map.of("APP_INSTANCE", id + "-app", "DB_HOST", "db"),
                secrets, DockerTestEnv.READINESS);
        ComponentSpec db = TestAppImage.component("db", version, false, Map.of("APP_INSTANCE", id + "-db"), secrets,
                DockerTestEnv.READINESS);
        return new ProvisionRequest(id, "tenant-" + id, id, id + ".apps.test", "test-app", version, List.of(app, db), plan,
                DockerTestEnv.LOCAL_NODE, Map.of("berth.dev/it", "true"));
    }

    /** The same request with a 3 s readiness timeout, for versions that never get ready. */
    static ProvisionRequest withUnreadyProbe(ProvisionRequest r) {
        List<ComponentSpec> components = r.components().stream().map(c -> new ComponentSpec(c.name(), c.image(), null, c.ports(),
                c.volumes(), c.env(), c.secretEnv(), new ComponentSpec.Readiness(TestAppImage.HEALTH_PATH, TestAppImage.PORT,
                Duration.ofSeconds(3)), c.http())).toList();
        return new ProvisionRequest(r.instanceId(), r.tenantId(), r.slug(), r.hostname(), r.appId(), r.appVersion(), components,
                r.resources(), r.node(), r.labels());
    }

    private static DockerClient client() {
        return DockerTestEnv.client(provider, DockerTestEnv.LOCAL);
    }

    private static InspectContainerResponse inspect(String id, String component) {
        DockerTestEnv.Located at = DockerTestEnv.container(provider, id, component).orElseThrow();
        return at.client().inspectContainerCmd(at.containerId()).exec();
    }

    private static List<HostConfig> hostConfigs(String id) {
        return List.of(inspect(id, "app").getHostConfig(), inspect(id, "db").getHostConfig());
    }

    private static List<String> startedAt(String id) {
        return List.of(inspect(id, "app").getState().getStartedAt(), inspect(id, "db").getState().getStartedAt());
    }

    private static List<String> addresses(String id, String component) {
        return inspect(id, component).getNetworkSettings().getNetworks().values().stream().map(n -> n.getIpAddress()).toList();
    }

    private static DockerTestEnv.ExecResult fetch(String id, String fromComponent, String host, String path) {
        return DockerTestEnv.exec(provider, id, fromComponent, TestAppImage.FETCH, host, Integer.toString(TestAppImage.PORT), path);
    }

    private static DockerTestEnv.ExecResult exec(String id, String component, String... cmd) {
        DockerTestEnv.ExecResult r = DockerTestEnv.exec(provider, id, component, cmd);
        assertThat(r.code()).as("exec %s: %s", List.of(cmd), r.output()).isZero();
        return r;
    }

    /** Path → "sha256 mode" of every file, and link targets, of both components' /data. */
    private static Map<String, String> treeDigest(String id) {
        Map<String, String> digest = new java.util.TreeMap<>();
        for (String component : List.of("app", "db")) {
            String out = exec(id, component, "sh", "-c",
                    "cd /data && find . -type f | sort | while read f; do echo \"$f $(sha256sum < \"$f\" | cut -d' ' -f1) $(stat -c %a \"$f\")\"; done;"
                            + " find . -type l | sort | while read l; do echo \"$l -> $(readlink \"$l\")\"; done").output();
            out.lines().forEach(l -> digest.put(component + ":" + l.substring(0, l.indexOf(' ')), l.substring(l.indexOf(' ') + 1)));
        }
        assertThat(digest).as("digest of %s", id).isNotEmpty();
        return digest;
    }

    static String httpGet(String url) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("GET %s", url).isEqualTo(200);
            return r.body();
        } catch (java.io.IOException e) {
            throw new AssertionError("GET " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
