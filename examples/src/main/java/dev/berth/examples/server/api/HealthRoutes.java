package dev.berth.examples.server.api;

import com.google.inject.Inject;
import dev.berth.core.store.Database;
import dev.berth.examples.server.Runtimes;
import dev.berth.examples.server.auth.Digest;
import dev.berth.examples.server.config.ServerConfig;
import dev.berth.examples.server.http.ApiProblem;
import dev.berth.examples.server.metrics.ServerMetrics;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.BerthException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.security.MessageDigest;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Probes and metrics, without API keys: {@code /healthz} (the process serves), {@code /readyz} (the database and
 * every runtime answer), {@code /metrics} (Prometheus text; with {@code metrics.token} set it needs
 * {@code Authorization: Bearer <token>}, compared in constant time through SHA-256 digests so that neither the
 * content nor the length of the token shows in the timing).
 */
public final class HealthRoutes implements Routes {

    private final Database db;
    private final Runtimes runtimes;
    private final ServerMetrics metrics;
    /** SHA-256 of the metrics token, or null while /metrics is open. */
    private final byte[] tokenDigest;

    @Inject
    public HealthRoutes(Database db, Runtimes runtimes, ServerMetrics metrics, ServerConfig config) {
        this.db = db;
        this.runtimes = runtimes;
        this.metrics = metrics;
        SecretValue token = config.metrics().token();
        this.tokenDigest = token == null ? null : Digest.sha256(token.reveal());
    }

    @Override
    public void register(RoutesConfig r) {
        r.get("/healthz", ctx -> ctx.json(Map.of("status", "UP")));
        r.get("/readyz", this::ready);
        r.get("/metrics", ctx -> {
            requireToken(ctx);
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
        });
    }

    private void requireToken(Context ctx) {
        if (tokenDigest == null) return;
        String header = ctx.header("Authorization");
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
        if (!MessageDigest.isEqual(Digest.sha256(presented), tokenDigest)) {
            throw new ApiProblem(401, "unauthorized", "/metrics needs the metrics token: Authorization: Bearer <metrics.token>",
                    "Authorization", Map.of("WWW-Authenticate", "Bearer realm=\"metrics\""));
        }
    }


    private void ready(Context ctx) {
        Map<String, String> checks = new LinkedHashMap<>();
        boolean ok = true;
        try (Connection c = db.dataSource().getConnection()) {
            checks.put("database", c.isValid(2) ? "UP" : "DOWN");
        } catch (Exception e) {
            checks.put("database", "DOWN");
        }
        for (var entry : runtimes.byKind().entrySet()) {
            try {
                entry.getValue().testConnection();
                checks.put("runtime:" + entry.getKey(), "UP");
            } catch (BerthException e) {
                checks.put("runtime:" + entry.getKey(), "DOWN: " + e.getMessage());
            }
        }
        for (String v : checks.values()) ok &= "UP".equals(v);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ok ? "UP" : "DOWN");
        body.put("checks", checks);
        ctx.status(ok ? 200 : 503).json(body);
    }
}
