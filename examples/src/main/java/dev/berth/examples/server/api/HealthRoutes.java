package dev.berth.examples.server.api;

import com.google.inject.Inject;
import dev.berth.core.error.BerthException;
import dev.berth.core.store.Database;
import dev.berth.examples.server.Runtimes;
import dev.berth.examples.server.metrics.ServerMetrics;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Public probes and metrics: {@code /healthz} (the process serves), {@code /readyz} (the database and every
 * runtime answer), {@code /metrics} (Prometheus text).
 */
public final class HealthRoutes implements Routes {

    private final Database db;
    private final Runtimes runtimes;
    private final ServerMetrics metrics;

    @Inject
    public HealthRoutes(Database db, Runtimes runtimes, ServerMetrics metrics) {
        this.db = db;
        this.runtimes = runtimes;
        this.metrics = metrics;
    }

    @Override
    public void register(RoutesConfig r) {
        r.get("/healthz", ctx -> ctx.json(Map.of("status", "UP")));
        r.get("/readyz", this::ready);
        r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
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
