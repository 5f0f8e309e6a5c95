package dev.berth.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.core.Berth;
import dev.berth.core.catalog.Catalog;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.lifecycle.OwnerLogin;
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
import dev.berth.spi.ExecCommand;
import dev.berth.spi.ExecResult;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.SecretValue;
import dev.berth.testkit.image.AppImages;
import dev.berth.testkit.memory.InMemoryBackupStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The built-in catalog's n8n and WordPress entries, run for real on the Docker engine with images built on this
 * machine from the package registries ({@link AppImages}); only the image names differ from the catalog. Each test
 * walks what a customer gets: provision, the owner logs in with the login Berth handed over, a second visitor sees
 * no set-up page, suspend and resume keep the data, a backup restores it, termination leaves nothing.
 */
class AppsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODE = "docker-apps";
    // memory request = limit: Node (n8n) sizes its heap from the container's memory reservation, and a 512 MiB
    // request gave it a 256 MB heap that n8n 2.33 outgrows during its first start (abort, exit 134): an open bug
    // of burstable plans for Node apps on Docker, see the issue notes
    private static final ResourceLimits LIMITS = new ResourceLimits(500, 2000, 2 * ResourceLimits.GIB,
            2 * ResourceLimits.GIB, 4 * ResourceLimits.GIB);

    private DockerProvider provider;
    private Berth berth;
    private final List<String> instances = new ArrayList<>();

    @BeforeEach
    void start() {
        provider = new DockerProvider(DockerTestEnv.localSettings());
        provider.testConnection();
        EngineSettings settings = new EngineSettings("apps-it", 2, Duration.ofMillis(100), Duration.ofMillis(500), 4,
                Duration.ofMillis(500), Duration.ofSeconds(5), 20, Duration.ofMinutes(4), "apps.test", "UTC",
                Set.of("n8n"), false, Duration.ofSeconds(1));
        berth = Berth.builder()
                .database(DatabaseSettings.h2Memory("apps-it-" + UUID.randomUUID()))
                .encryptionKeyset(SecretCipher.generateKeysetJson())
                .provider(provider)
                .catalog(Catalog.builtin().withImages(AppImages.catalogImages()))
                .backupStore(new InMemoryBackupStore())
                .engine(settings)
                .build().start();
        berth.nodes().register(new Node(NODE, DockerProvider.KIND, DockerTestEnv.LOCAL, Map.of(),
                new Capacity(8000, 16 * ResourceLimits.GIB, 200 * ResourceLimits.GIB), Overcommit.NONE, 0, null, NodeStatus.ONLINE));
        berth.plans().save(Plan.of("standard", "Standard", LIMITS, BackupPolicy.every(Duration.ofDays(1), Duration.ofDays(7))));
    }

    @AfterEach
    void stop() {
        try {
            for (String id : instances) {
                provider.terminate(id);
                assertThat(DockerTestEnv.leftovers(provider, id)).as("leftovers of %s", id).isEmpty();
            }
        } finally {
            berth.close();
            provider.close();
        }
    }

    @Test
    @Disabled("open (issue 15): with the readiness probe on HTTP/1.1, n8n becomes ACTIVE through Berth, the owner logs in"
            + " with the handed-over password (200), a wrong password gets 401 and no set-up page is shown; the walk stops"
            + " at the first authenticated call (401): n8n marks its session cookie Secure (N8N_PROTOCOL=https) and the"
            + " test talks plain HTTP to the container, so the cookie is not sent back. Needs the HTTPS edge or a cookie"
            + " passed by hand.")
    void n8nArrivesWorkingAndOwnedAndKeepsItsWorkflowsThroughSuspendAndRestore() throws Exception {
        AppImages.ensureN8n();
        Tenant t = berth.tenants().create("cus-" + UUID.randomUUID(), "owner@acme.example", "Ada Lovelace");

        Instance i = provisionAndAwaitActive(t, "n8n");
        OwnerLogin owner = berth.instances().ownerLogin(i.id()).orElseThrow();
        String base = "http://" + provider.status(i.id()).endpoint();
        awaitOk(base + "/rest/settings"); // the /rest routes answer a moment after the readiness probe

        // a second visitor finds no owner set-up page: the account exists and is the customer's
        JsonNode settings = JSON.readTree(get(http(), base + "/rest/settings").body());
        assertThat(settings.at("/data/userManagement/showSetupOnFirstLoad").asBoolean(true)).isFalse();
        HttpClient owned = http();
        assertThat(n8nLogin(owned, base, owner.login(), owner.password()).statusCode()).as("owner login").isEqualTo(200);
        assertThat(n8nLogin(http(), base, owner.login(), SecretValue.of("not-the-password")).statusCode()).isEqualTo(401);

        String workflow = n8nCreateWorkflow(owned, base, "kept through everything");
        SecretValue key = berth.instances().credentials(i.id()).get("N8N_ENCRYPTION_KEY");

        awaitDone(berth.instances().suspend(i.id(), SuspensionReason.ADMIN));
        awaitDone(berth.instances().resume(i.id()));
        base = "http://" + provider.status(i.id()).endpoint();
        awaitOk(base + "/rest/settings");
        HttpClient again = http();
        assertThat(n8nLogin(again, base, owner.login(), owner.password()).statusCode()).isEqualTo(200);
        assertThat(get(again, base + "/rest/workflows/" + workflow).statusCode()).as("workflow after resume").isEqualTo(200);
        assertThat(berth.instances().credentials(i.id()).get("N8N_ENCRYPTION_KEY")).isEqualTo(key);

        Operation backup = awaitDone(berth.instances().backup(i.id()));
        String later = n8nCreateWorkflow(again, base, "made after the backup");
        awaitDone(berth.instances().restore(i.id(), backup.id())); // a backup is named after the operation that took it
        base = "http://" + provider.status(i.id()).endpoint();
        awaitOk(base + "/rest/settings");
        HttpClient restored = http();
        assertThat(n8nLogin(restored, base, owner.login(), owner.password()).statusCode()).isEqualTo(200);
        assertThat(get(restored, base + "/rest/workflows/" + workflow).statusCode()).as("workflow from the backup").isEqualTo(200);
        assertThat(get(restored, base + "/rest/workflows/" + later).statusCode()).as("workflow made after it").isEqualTo(404);

        terminate(i);
    }

    @Test
    void wordpressArrivesInstalledForItsOwnerAndKeepsItsPostsThroughSuspendAndRestore() throws Exception {
        AppImages.ensureWordpress();
        Tenant t = berth.tenants().create("cus-" + UUID.randomUUID(), "owner@shop.example", "Grace Hopper");

        Instance i = provisionAndAwaitActive(t, "wordpress");
        OwnerLogin owner = berth.instances().ownerLogin(i.id()).orElseThrow();
        assertThat(owner.loginUrl()).isEqualTo(i.url() + "/wp-login.php");

        assertThat(wpInstaller(i)).as("a second visitor's installer").contains("Already Installed");
        assertThat(wpLogin(i, owner.login(), owner.password())).as("owner login").isTrue();
        assertThat(wpLogin(i, owner.login(), SecretValue.of("not-the-password"))).isFalse();

        wpSql(i, "INSERT INTO wp_posts (post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt,"
                + " post_status, post_name, to_ping, pinged, post_modified, post_modified_gmt, post_content_filtered, guid, post_type)"
                + " VALUES (1, NOW(), NOW(), 'kept', 'Kept through everything', '', 'publish', 'kept', '', '', NOW(), NOW(), '', '', 'post')");
        awaitDone(berth.instances().suspend(i.id(), SuspensionReason.ADMIN));
        awaitDone(berth.instances().resume(i.id()));
        assertThat(wpSql(i, "SELECT post_title FROM wp_posts WHERE post_name = 'kept'")).contains("Kept through everything");

        Operation backup = awaitDone(berth.instances().backup(i.id()));
        wpSql(i, "DELETE FROM wp_posts WHERE post_name = 'kept'");
        awaitDone(berth.instances().restore(i.id(), backup.id()));
        assertThat(wpSql(i, "SELECT post_title FROM wp_posts WHERE post_name = 'kept'")).contains("Kept through everything");
        await("WordPress after the restore").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> wpLogin(i, owner.login(), owner.password()));

        terminate(i);
    }

    // ---------------------------------------------------------------- engine

    private Instance provisionAndAwaitActive(Tenant t, String app) {
        Instance i = berth.instances().provision(new ProvisionCommand(t.id(), app, "standard", UUID.randomUUID().toString(), null));
        instances.add(i.id());
        await(app + " to become ACTIVE").atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Instance now = berth.instances().get(i.id());
            assertThat(now.state()).as("%s: %s", app, now.stateReason()).isNotEqualTo(InstanceState.FAILED);
            return now.state() == InstanceState.ACTIVE;
        });
        return berth.instances().get(i.id());
    }

    private Operation awaitDone(Operation started) {
        await(started.type() + " to finish").atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1))
                .until(() -> berth.operations().get(started.id()).status() != OperationStatus.IN_PROGRESS);
        Operation done = berth.operations().get(started.id());
        assertThat(done.status()).as("%s: %s", done.type(), done.lastError()).isEqualTo(OperationStatus.SUCCEEDED);
        return done;
    }

    private void terminate(Instance i) {
        awaitDone(berth.instances().terminate(i.id()));
        assertThat(DockerTestEnv.leftovers(provider, i.id())).as("what termination left").isEmpty();
        instances.remove(i.id());
    }

    // ---------------------------------------------------------------- n8n

    private static HttpResponse<String> n8nLogin(HttpClient client, String base, String email, SecretValue password)
            throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("emailOrLdapLoginId", email, "password", password.reveal()));
        return client.send(HttpRequest.newBuilder(URI.create(base + "/rest/login")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String n8nCreateWorkflow(HttpClient owned, String base, String name) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("name", name, "nodes", List.of(), "connections", Map.of(),
                "settings", Map.of(), "active", false));
        HttpResponse<String> r = owned.send(HttpRequest.newBuilder(URI.create(base + "/rest/workflows"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("create workflow: %s", r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).at("/data/id").asText();
    }

    // ---------------------------------------------------------------- WordPress

    /**
     * Logs in through wp-login.php as a browser behind the edge does (the instance's host name, X-Forwarded-Proto:
     * https; WordPress redirects requests for any other host), from inside the container through Berth's exec,
     * the password on stdin; true when WordPress set its logged-in cookie.
     */
    private boolean wpLogin(Instance i, String login, SecretValue password) {
        String form = "log=" + enc(login) + "&pwd=" + enc(password.reveal()) + "&wp-submit=Log+In&testcookie=1";
        ExecResult r = provider.exec().orElseThrow().exec(i.id(), ExecCommand.of("app", "curl", "-s", "-o", "/dev/null",
                        "-D", "-", "-H", "Host: " + i.hostname(), "-H", "X-Forwarded-Proto: https",
                        "-b", "wordpress_test_cookie=WP%20Cookie%20check", "--data-binary", "@-",
                        "http://localhost/wp-login.php").withStdin(SecretValue.of(form)));
        assertThat(r.exitCode()).as("curl: %s", r.stderr()).isZero();
        return r.stdout().lines().anyMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("set-cookie: wordpress_logged_in_"));
    }

    /** What the installer shows a visitor, fetched from inside the container as the edge would ask. */
    private String wpInstaller(Instance i) {
        ExecResult r = provider.exec().orElseThrow().exec(i.id(), ExecCommand.of("app", "curl", "-s",
                "-H", "Host: " + i.hostname(), "-H", "X-Forwarded-Proto: https", "http://localhost/wp-admin/install.php"));
        assertThat(r.exitCode()).isZero();
        return r.stdout();
    }

    /** Runs SQL in the instance's database as the app's own user; the password stays inside the container. */
    private String wpSql(Instance i, String sql) {
        var r = DockerTestEnv.exec(provider, i.id(), "db", "sh", "-c",
                "mariadb -h127.0.0.1 -u\"$MARIADB_USER\" -p\"$MARIADB_PASSWORD\" \"$MARIADB_DATABASE\" -N -e \"$1\"", "sh", sql);
        assertThat(r.code()).as("sql: %s", r.output()).isZero();
        return r.output();
    }

    // ---------------------------------------------------------------- HTTP

    private static HttpClient http() {
        // HTTP/1.1: Node's server leaves the JDK client's h2c upgrade request unanswered
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitOk(String url) {
        await(url).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> get(http(), url).statusCode() == 200);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
