package dev.berth.examples.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.examples.server.openapi.OpenApiRoutes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps /openapi.json true: the same routes, methods, scopes and path parameters as the running server. */
class OpenApiContractTest {

    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

    @TempDir
    static Path dataDir;
    static BerthServer server;
    static JsonNode doc;

    @BeforeAll
    static void start() {
        server = TestServers.memory(dataDir, Map.of());
        doc = OpenApiRoutes.document();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static Map<String, Set<String>> registered() {
        return TestServers.routes(server);
    }

    private static Map<String, Set<String>> documented() {
        Map<String, Set<String>> ops = new TreeMap<>();
        doc.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (!METHODS.contains(op.getKey())) return;
            Set<String> scopes = new TreeSet<>();
            op.getValue().path("x-berth-scopes").forEach(s -> scopes.add(s.asText()));
            ops.put(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), scopes);
        }));
        return ops;
    }

    @Test
    void the_document_lists_exactly_the_registered_routes_with_their_scopes() {
        assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
        Map<String, Set<String>> registered = registered();
        assertThat(registered).hasSizeGreaterThan(30);
        assertThat(documented()).isEqualTo(registered);
    }

    @Test
    void public_routes_say_so_and_the_others_need_the_api_key() {
        documented().forEach((route, scopes) -> {
            String[] parts = route.split(" ", 2);
            JsonNode op = doc.get("paths").get(parts[1]).get(parts[0].toLowerCase(Locale.ROOT));
            if (route.equals("GET /metrics")) {
                // optional: anonymous, or the metrics token when the server has one
                assertThat(op.path("security").toString()).as(route).isEqualTo("[{},{\"metricsToken\":[]}]");
            } else if (scopes.isEmpty()) {
                assertThat(op.path("security").isArray() && op.path("security").isEmpty()).as(route).isTrue();
            } else {
                assertThat(op.has("security")).as(route + " inherits the global apiKey requirement").isFalse();
            }
        });
    }

    @Test
    void every_path_parameter_is_declared_and_every_reference_resolves() {
        Pattern param = Pattern.compile("\\{([^}]+)}");
        doc.get("paths").fields().forEachRemaining(path -> {
            Matcher m = param.matcher(path.getKey());
            while (m.find()) {
                String name = m.group(1);
                path.getValue().fields().forEachRemaining(op -> {
                    if (!METHODS.contains(op.getKey())) return;
                    List<JsonNode> params = new ArrayList<>();
                    path.getValue().path("parameters").forEach(params::add);
                    op.getValue().path("parameters").forEach(params::add);
                    boolean declared = params.stream().map(OpenApiContractTest::deref)
                            .anyMatch(p -> name.equals(p.path("name").asText()) && "path".equals(p.path("in").asText()));
                    assertThat(declared).as(op.getKey() + " " + path.getKey() + " declares {" + name + "}").isTrue();
                });
            }
        });
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
    }

    @Test
    void the_server_serves_the_document() throws Exception {
        var r = new ApiClient(server.localUri(), null).get("/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(r.text())).isEqualTo(new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(doc)));
    }

    private static JsonNode deref(JsonNode n) {
        return n.has("$ref") ? doc.at(n.get("$ref").asText().substring(1)) : n;
    }

    private static void collectRefs(JsonNode n, List<String> out) {
        if (n.isObject()) {
            n.fields().forEachRemaining(f -> {
                if ("$ref".equals(f.getKey())) out.add(f.getValue().asText());
                else collectRefs(f.getValue(), out);
            });
        } else if (n.isArray()) {
            n.forEach(c -> collectRefs(c, out));
        }
    }

}
