package dev.berth.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.examples.server.config.ConfigLoader;
import dev.berth.testkit.image.TestAppImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The acceptance run against the real Docker engine: the server (default configuration apart from a random port,
 * a temp data folder, a unique container name prefix and an extra catalog file with the testkit's app image) is
 * driven only through its HTTP API, and what it did is checked on the engine with the docker CLI. Fails, never
 * skips, when Docker is missing.
 */
class DockerServerIT {

    private static final String PREFIX = "srvit" + UUID.randomUUID().toString().replace("-", "").substring(0, 6);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    static Path dataDir;
    static BerthServer server;
    static ApiClient admin;

    @BeforeAll
    static void start() throws IOException {
        DockerCli.run("info", "--format", "{{.ServerVersion}}"); // fails loudly without an engine
        TestAppImage.ensureAll();
        Map<String, String> env = TestServers.dockerEnv(dataDir, PREFIX);
        server = BerthServer.start(ConfigLoader.load(null, env));
        admin = TestServers.admin(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        // whatever a failed run left behind, by this run's unique prefix only
        for (String c : DockerCli.lines("ps", "-aq", "--filter", "name=" + PREFIX)) DockerCli.run("rm", "-f", c);
        for (String v : DockerCli.lines("volume", "ls", "-q", "--filter", "name=" + PREFIX)) DockerCli.run("volume", "rm", "-f", v);
        for (String n : DockerCli.lines("network", "ls", "-q", "--filter", "name=" + PREFIX)) DockerCli.run("network", "rm", n);
    }

    @Test
    void an_instance_lives_its_whole_life_on_docker_through_the_api() {
        var tenant = admin.post("/api/v1/tenants", "{\"externalId\":\"docker-it\",\"email\":\"ops@example.com\",\"name\":\"Ops\"}");
        assertThat(tenant.status()).as(tenant.text()).isEqualTo(201);
        String tenantId = tenant.json().get("id").asText();

        var p = admin.send("POST", "/api/v1/instances", "{\"tenantId\":\"" + tenantId + "\",\"appId\":\"testapp\",\"planId\":\"basic\"}",
                Map.of("Idempotency-Key", "docker-it-1"));
        assertThat(p.status()).as(p.text()).isEqualTo(202);
        String id = p.json().at("/instance/id").asText();
        awaitOperation(p.json().at("/operation/id").asText());
        JsonNode view = admin.get("/api/v1/tenants/" + tenantId + "/instances").json().get(0);
        assertThat(view.get("status").asText()).isEqualTo("ACTIVE");
        assertThat(view.get("nodeId").asText()).isEqualTo("local");

        // reachable over HTTP, and it got its env
        assertThat(httpGet(id, TestAppImage.HEALTH_PATH)).isEqualTo("ok");
        assertThat(httpGet(id, TestAppImage.ENV_PATH)).contains("APP_HOST=" + view.get("hostname").asText());
        DockerCli.run("exec", container(id), "sh", "-c", "echo kept-" + id + " > " + TestAppImage.DATA_PATH + "/marker");

        // suspend: stopped, unreachable
        String ip = address(id);
        awaitOperation(action("/api/v1/instances/" + id + "/suspend", null));
        assertThat(DockerCli.run("inspect", "-f", "{{.State.Running}}", container(id))).isEqualTo("false");
        assertThat(reachable(ip)).isFalse();

        // resume: reachable again, data kept
        awaitOperation(action("/api/v1/instances/" + id + "/resume", null));
        assertThat(httpGet(id, TestAppImage.HEALTH_PATH)).isEqualTo("ok");
        assertThat(DockerCli.run("exec", container(id), "cat", TestAppImage.DATA_PATH + "/marker")).isEqualTo("kept-" + id);

        // plan change: the container's limits follow the plan
        assertThat(limits(id)).startsWith("536870912 ");
        String cpuBefore = limits(id);
        awaitOperation(action("/api/v1/instances/" + id + "/change-plan", "{\"planId\":\"pro\"}"));
        assertThat(limits(id)).startsWith("1073741824 ").isNotEqualTo(cpuBefore);
        assertThat(admin.get("/api/v1/instances/" + id).json().get("planId").asText()).isEqualTo("pro");

        // backup now
        awaitOperation(action("/api/v1/instances/" + id + "/backups", null));
        assertThat(admin.get("/api/v1/instances/" + id + "/backups").json()).hasSize(1);

        // terminate: a final backup is listed and nothing is left on Docker
        var t = admin.delete("/api/v1/instances/" + id);
        assertThat(t.status()).isEqualTo(202);
        awaitOperation(t.json().at("/operation/id").asText());
        assertThat(admin.get("/api/v1/instances/" + id).json().get("status").asText()).isEqualTo("TERMINATED");
        assertThat(admin.get("/api/v1/instances/" + id + "/backups").json().size()).isGreaterThanOrEqualTo(2);
        assertThat(DockerCli.lines("ps", "-aq", "--filter", "label=dev.berth.instance=" + id)).isEmpty();
        assertThat(DockerCli.lines("volume", "ls", "-q", "--filter", "label=dev.berth.instance=" + id)).isEmpty();
        assertThat(DockerCli.lines("ps", "-aq", "--filter", "name=" + PREFIX)).isEmpty();
        assertThat(DockerCli.lines("volume", "ls", "-q", "--filter", "name=" + PREFIX)).isEmpty();
        assertThat(DockerCli.lines("network", "ls", "-q", "--filter", "name=" + PREFIX)).isEmpty();
        assertThat(admin.delete("/api/v1/tenants/" + tenantId).status()).isEqualTo(204);
    }

    private static String action(String path, String body) {
        var r = admin.post(path, body);
        assertThat(r.status()).as(r.text()).isEqualTo(202);
        return r.json().at("/operation/id").asText();
    }

    private static void awaitOperation(String operationId) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> {
            last[0] = admin.get("/api/v1/operations/" + operationId).json();
            return !"IN_PROGRESS".equals(last[0].get("status").asText());
        });
        assertThat(last[0].get("status").asText()).as(last[0].toString()).isEqualTo("SUCCEEDED");
    }

    /** The instance's (only, HTTP) container, found by Berth's label. */
    private static String container(String instanceId) {
        List<String> ids = DockerCli.lines("ps", "-aq", "--filter", "label=dev.berth.instance=" + instanceId);
        assertThat(ids).hasSize(1);
        return ids.get(0);
    }

    private static String address(String instanceId) {
        String ips = DockerCli.run("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", container(instanceId));
        return ips.split("\\s+")[0];
    }

    /** Memory limit, then the CPU settings, as Docker reports them. */
    private static String limits(String instanceId) {
        return DockerCli.run("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}}",
                container(instanceId));
    }

    private static String httpGet(String instanceId, String path) {
        String[] body = new String[1];
        // right after start the address may still be settling: retry briefly
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address(instanceId) + ":"
                    + TestAppImage.PORT + path)).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            body[0] = r.body().trim();
            return r.statusCode() == 200;
        });
        return body[0];
    }

    private static boolean reachable(String ip) {
        try {
            HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":" + TestAppImage.PORT + TestAppImage.HEALTH_PATH))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
