package dev.berth.examples.server;

import dev.berth.examples.server.config.ConfigLoader;
import dev.berth.examples.server.config.ServerConfig;
import dev.berth.testkit.image.TestAppImage;
import dev.berth.testkit.memory.InMemoryBackupStore;
import io.javalin.router.Endpoint;
import io.javalin.security.Roles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Starts servers for tests: in-process, on a random loopback port, on the in-memory runtime, H2 in a temp folder. */
final class TestServers {

    private TestServers() {
    }

    /** Environment for a memory-runtime server in {@code dataDir}; {@code extra} overrides it. */
    static Map<String, String> memoryEnv(Path dataDir, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("BERTH_HTTP_HOST", "127.0.0.1");
        env.put("BERTH_HTTP_PORT", "0");
        env.put("BERTH_DATA_DIR", dataDir.toString());
        env.put("BERTH_PROVIDERS", "{\"memory\": {}}");
        env.put("BERTH_NODES", "[{\"id\": \"mem\", \"provider\": \"memory\", \"target\": \"mem-1\"}]");
        env.put("BERTH_ENGINE_POLL_INTERVAL", "PT0.2S");
        env.put("BERTH_ENGINE_BASE_DOMAIN", "apps.test");
        env.put("BERTH_HTTP_RATE_LIMIT_REQUESTS_PER_MINUTE", "100000");
        env.put("BERTH_HTTP_RATE_LIMIT_BURST", "10000");
        env.putAll(extra);
        return env;
    }

    static BerthServer memory(Path dataDir, Map<String, String> extra) {
        ServerConfig config = ConfigLoader.load(null, memoryEnv(dataDir, extra));
        return BerthServer.start(config, new InMemoryBackupStore());
    }

    /**
     * Environment for a server on the real Docker engine in {@code dir}: random loopback port, containers named with
     * {@code prefix} (so a test only ever touches its own), and an extra catalog with the testkit's app image
     * ({@code testapp}).
     */
    static Map<String, String> dockerEnv(Path dir, String prefix) throws IOException {
        Path catalog = dir.resolve("test-catalog.yaml");
        Files.writeString(catalog, """
                apps:
                  - id: testapp
                    name: Berth test app
                    description: busybox httpd from the testkit image
                    defaultVersion: "%s"
                    supportedVersions: ["%s", "%s"]
                    licence: { spdx: MIT, notes: test image, requiresAcknowledgement: false }
                    components:
                      - name: app
                        image: "%s:{version}"
                        http: true
                        ports: [ { name: http, port: %d } ]
                        volumes: [ { name: data, path: %s } ]
                        env: { APP_HOST: "${host}" }
                        readiness: { path: %s, port: %d, timeout: PT1M }
                """.formatted(TestAppImage.V1, TestAppImage.V1, TestAppImage.V2, TestAppImage.REPOSITORY, TestAppImage.PORT,
                TestAppImage.DATA_PATH, TestAppImage.HEALTH_PATH, TestAppImage.PORT));
        Map<String, String> env = new HashMap<>();
        env.put("BERTH_HTTP_HOST", "127.0.0.1");
        env.put("BERTH_HTTP_PORT", "0");
        env.put("BERTH_DATA_DIR", dir.resolve("data").toString());
        env.put("BERTH_CATALOG_FILES", "[\"" + catalog + "\"]");
        env.put("BERTH_PROVIDERS", "{\"docker\": {\"namePrefix\": \"" + prefix + "\", \"stopTimeout\": \"PT2S\"}}");
        env.put("BERTH_ENGINE_POLL_INTERVAL", "PT0.2S");
        return env;
    }

    /** "GET /api/v1/tenants/{tenantId}" → admitted scopes, for every route the server registered. */
    static Map<String, Set<String>> routes(BerthServer server) {
        Map<String, Set<String>> routes = new TreeMap<>();
        for (var parsed : server.app().unsafe.internalRouter.allHttpHandlers()) {
            Endpoint e = parsed.endpoint;
            if (!Set.of("GET", "POST", "PUT", "DELETE", "PATCH").contains(e.method.name())) continue;
            Roles roles = e.metadata(Roles.class);
            routes.put(e.method.name() + " " + e.path, roles == null ? Set.of()
                    : roles.getRoles().stream().map(Object::toString).collect(Collectors.toCollection(TreeSet::new)));
        }
        return routes;
    }

    static ApiClient admin(BerthServer server) {
        return new ApiClient(server.localUri(), server.firstAdminKey().orElseThrow().reveal());
    }
}
