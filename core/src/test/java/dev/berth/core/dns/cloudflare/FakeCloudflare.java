package dev.berth.core.dns.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A stateful stand-in for Cloudflare's DNS records API (v4): it keeps records per zone, answers with Cloudflare's
 * envelope, checks the bearer token, and refuses what Cloudflare refuses (an identical record twice: 81057; a CNAME
 * beside an A/AAAA record of the same name or the reverse: 81053). Tests can queue raw answers (429s, 5xx) that
 * are served before the state machine.
 */
final class FakeCloudflare extends Dispatcher {

    static final String TOKEN = "cf-test-token-0123456789";
    static final String ZONE = "023e105f4ecef8ad9ca31a8372d0c353";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A request as received, with its arrival time. */
    record Seen(String method, String path, Instant at) { }

    private final Map<String, ObjectNode> records = new LinkedHashMap<>(); // guarded by this
    private final Deque<MockResponse> queued = new ArrayDeque<>(); // guarded by this
    private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());

    synchronized void enqueue(MockResponse response) {
        queued.add(response);
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** Every record held, as Cloudflare would return it. */
    synchronized List<JsonNode> records() {
        return List.copyOf(records.values());
    }

    synchronized List<JsonNode> records(String name) {
        return records.values().stream().filter(r -> r.get("name").asText().equals(name)).map(r -> (JsonNode) r).toList();
    }

    /** Puts a record straight into the zone, as an operator clicking in the dashboard would. */
    synchronized void seed(String type, String name, String content) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", UUID.randomUUID().toString().replace("-", ""));
        r.put("type", type).put("name", name).put("content", content).put("proxied", false).put("ttl", 1);
        records.put(r.get("id").asText(), r);
    }

    @Override
    public synchronized MockResponse dispatch(RecordedRequest request) {
        HttpUrl url = request.getUrl();
        seen.add(new Seen(request.getMethod(), url.encodedPath(), Instant.now()));
        if (!queued.isEmpty()) {
            return queued.poll();
        }
        if (!("Bearer " + TOKEN).equals(request.getHeaders().get("Authorization"))) {
            return error(403, 9109, "Invalid access token");
        }
        List<String> path = url.pathSegments();
        // /client/v4/zones/{zone}/dns_records[/{id}]
        int z = path.indexOf("zones");
        if (z < 0 || path.size() < z + 3 || !"dns_records".equals(path.get(z + 2))) {
            return error(404, 7000, "No route for that URI");
        }
        if (!ZONE.equals(path.get(z + 1))) {
            return error(404, 7003, "Could not route to /zones/" + path.get(z + 1) + ", perhaps your object identifier is invalid?");
        }
        String id = path.size() > z + 3 ? path.get(z + 3) : null;
        try {
            return switch (request.getMethod()) {
                case "GET" -> list(url.queryParameter("name"));
                case "POST" -> create((ObjectNode) JSON.readTree(request.getBody().utf8()));
                case "PUT" -> update(id, (ObjectNode) JSON.readTree(request.getBody().utf8()));
                case "DELETE" -> delete(id);
                default -> error(405, 10000, "method not allowed");
            };
        } catch (java.io.IOException e) {
            return error(400, 9207, "Request body is invalid.");
        }
    }

    private MockResponse list(String name) {
        ArrayNode result = JSON.createArrayNode();
        records.values().stream().filter(r -> name == null || r.get("name").asText().equals(name)).forEach(result::add);
        return ok(result);
    }

    private MockResponse create(ObjectNode body) {
        String type = body.path("type").asText();
        String name = body.path("name").asText();
        for (ObjectNode r : records.values()) {
            if (!r.get("name").asText().equals(name)) continue;
            String t = r.get("type").asText();
            if (t.equals(type) && r.get("content").asText().equals(body.path("content").asText())) {
                return error(400, 81057, "Record already exists.");
            }
            if (t.equals("CNAME") != type.equals("CNAME")) {
                return error(400, 81053, "An A, AAAA, or CNAME record with that host already exists.");
            }
        }
        body.put("id", UUID.randomUUID().toString().replace("-", ""));
        normalise(body);
        records.put(body.get("id").asText(), body);
        return ok(body);
    }

    private MockResponse update(String id, ObjectNode body) {
        if (id == null || !records.containsKey(id)) {
            return error(404, 81044, "Record does not exist.");
        }
        body.put("id", id);
        normalise(body);
        records.put(id, body);
        return ok(body);
    }

    private MockResponse delete(String id) {
        if (id == null || records.remove(id) == null) {
            return error(404, 81044, "Record does not exist.");
        }
        ObjectNode result = JSON.createObjectNode().put("id", id);
        return ok(result);
    }

    private static void normalise(ObjectNode r) {
        if (!r.has("proxied")) r.put("proxied", false);
        if (!r.has("ttl") || r.path("proxied").asBoolean()) r.put("ttl", 1); // proxied records are always "automatic"
    }

    private static MockResponse ok(JsonNode result) {
        ObjectNode env = JSON.createObjectNode();
        env.put("success", true);
        env.putArray("errors");
        env.putArray("messages");
        env.set("result", result);
        return json(200, env);
    }

    static MockResponse error(int status, int code, String message) {
        ObjectNode env = JSON.createObjectNode();
        env.put("success", false);
        env.putArray("errors").addObject().put("code", code).put("message", message);
        env.putArray("messages");
        env.putNull("result");
        return json(status, env);
    }

    static MockResponse json(int status, JsonNode body) {
        return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json")
                .body(body.toString()).build();
    }
}
