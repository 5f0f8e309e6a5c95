package dev.berth.stripe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A local stand-in for the Stripe API (no Stripe server or stripe-mock is reachable here): a JDK HTTP server on a
 * random port that serves recorded-shape fixtures for the calls the module makes, keeps subscription state the test
 * changes between steps, replays responses for a reused {@code Idempotency-Key} as Stripe does, and records every
 * request for assertions.
 */
public final class FakeStripeApi implements AutoCloseable {

    /** One request as received. */
    public record Request(String method, String path, String query, Map<String, String> headers, Map<String, String> form) {
    }

    /** A subscription's mutable state. */
    public static final class Sub {
        public final String id;
        public final String customer;
        public final Map<String, String> metadata;
        public final long created;
        public volatile String status;
        public volatile String price;

        Sub(String id, String customer, Map<String, String> metadata, long created, String status, String price) {
            this.id = id;
            this.customer = customer;
            this.metadata = Map.copyOf(metadata);
            this.created = created;
            this.status = status;
            this.price = price;
        }
    }

    private final HttpServer server;
    private final Map<String, Sub> subscriptions = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> retrievals = new ConcurrentHashMap<>();
    private final Map<String, String> idempotentResponses = new ConcurrentHashMap<>();
    private final List<Request> requests = new ArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger sessions = new AtomicInteger();

    public FakeStripeApi() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    /** The API base to give {@code StripeClient.builder().setApiBase(...)}. */
    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public Sub putSubscription(String id, String customer, String status, String price, Map<String, String> metadata, long created) {
        Sub s = new Sub(id, customer, metadata, created, status, price);
        subscriptions.put(id, s);
        return s;
    }

    public Sub subscription(String id) {
        return subscriptions.get(id);
    }

    /** The subscription as {@code GET /v1/subscriptions/{id}} returns it now (also used as an event snapshot). */
    public String subscriptionJson(String id) {
        Sub s = subscriptions.get(id);
        boolean ended = "canceled".equals(s.status) || "incomplete_expired".equals(s.status);
        return Fixtures.render("subscription.json", Map.ofEntries(
                Map.entry("id", s.id), Map.entry("customer", s.customer), Map.entry("status", s.status), Map.entry("price", s.price),
                Map.entry("metadata", Fixtures.object(s.metadata)), Map.entry("created", Long.toString(s.created)),
                Map.entry("period_start", Long.toString(s.created)), Map.entry("period_end", Long.toString(s.created + 30 * 86400)),
                Map.entry("canceled_at", ended ? Long.toString(s.created + 86400) : "null"),
                Map.entry("ended_at", ended ? Long.toString(s.created + 86400) : "null"),
                Map.entry("cancellation_reason", ended ? "\"cancellation_requested\"" : "null")));
    }

    /** How many times the subscription was read through the API. */
    public int retrievals(String id) {
        return retrievals.getOrDefault(id, new AtomicInteger()).get();
    }

    /** The next {@code n} requests fail with a 500 (Stripe's api_error). */
    public void failNext(int n) {
        failures.set(n);
    }

    public synchronized List<Request> requests(String method, String pathPrefix) {
        return requests.stream().filter(r -> r.method.equals(method) && r.path.startsWith(pathPrefix)).toList();
    }

    private void handle(HttpExchange x) throws IOException {
        String method = x.getRequestMethod();
        String path = x.getRequestURI().getPath();
        String query = x.getRequestURI().getRawQuery();
        Map<String, String> headers = new LinkedHashMap<>();
        x.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
        Map<String, String> form = parseForm(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        synchronized (this) {
            requests.add(new Request(method, path, query, headers, form));
        }
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            respond(x, 500, Fixtures.render("error_api.json", Map.of()));
            return;
        }
        String key = headers.get("idempotency-key");
        if ("POST".equals(method) && key != null && idempotentResponses.containsKey(key)) {
            respond(x, 200, idempotentResponses.get(key));
            return;
        }
        String body;
        if ("GET".equals(method) && path.startsWith("/v1/subscriptions/")) {
            String id = path.substring("/v1/subscriptions/".length());
            if (!subscriptions.containsKey(id)) {
                respond(x, 404, Fixtures.render("error_resource_missing.json", Map.of("id", id)));
                return;
            }
            retrievals.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            body = subscriptionJson(id);
        } else if ("GET".equals(method) && path.equals("/v1/subscriptions")) {
            body = subscriptions.keySet().stream().sorted().map(this::subscriptionJson)
                    .collect(Collectors.joining(",", "{\"object\": \"list\", \"data\": [", "], \"has_more\": false, \"url\": \"/v1/subscriptions\"}"));
        } else if ("POST".equals(method) && path.equals("/v1/checkout/sessions")) {
            String id = "cs_test_a1" + sessions.incrementAndGet();
            body = Fixtures.render("checkout_session.json", Map.ofEntries(
                    Map.entry("id", id), Map.entry("client_reference_id", form.getOrDefault("client_reference_id", "")),
                    Map.entry("created", "1772359200"), Map.entry("expires_at", "1772445600"),
                    Map.entry("customer", Fixtures.str(form.get("customer"))), Map.entry("customer_details", "null"),
                    Map.entry("customer_email", Fixtures.str(form.get("customer_email"))), Map.entry("invoice", "null"),
                    Map.entry("metadata", "{}"), Map.entry("payment_status", "unpaid"), Map.entry("status", "open"),
                    Map.entry("subscription", "null"), Map.entry("url", Fixtures.str("https://checkout.stripe.com/c/pay/" + id))));
        } else if ("POST".equals(method) && path.equals("/v1/billing_portal/sessions")) {
            body = Fixtures.render("billing_portal_session.json", Map.of("id", "bps_1Qx9" + sessions.incrementAndGet(),
                    "created", "1772359200", "customer", form.getOrDefault("customer", ""), "return_url", form.getOrDefault("return_url", "")));
        } else {
            respond(x, 404, Fixtures.render("error_resource_missing.json", Map.of("id", path)));
            return;
        }
        if ("POST".equals(method) && key != null) idempotentResponses.put(key, body);
        respond(x, 200, body);
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        if (body.isEmpty()) return form;
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.put(k, v);
        }
        return form;
    }

    private static void respond(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.getResponseHeaders().add("Request-Id", "req_test");
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
