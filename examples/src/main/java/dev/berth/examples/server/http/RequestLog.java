package dev.berth.examples.server.http;

import dev.berth.examples.server.auth.AccessControl;
import dev.berth.examples.server.auth.ApiKey;
import dev.berth.examples.server.metrics.ServerMetrics;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * One structured log line per request (logger {@code berth.http}) and its latency metric. The line carries the
 * request id, method, path, matched route, status, duration and the API key's public id — never a header, a
 * query string, a body or a key.
 */
public final class RequestLog {

    private static final Logger log = LoggerFactory.getLogger("berth.http");

    private RequestLog() {
    }

    /** The Javalin request logger. */
    public static void log(Context ctx, float millis, ServerMetrics metrics) {
        String route = route(ctx);
        metrics.http(ctx.method().name(), route, ctx.statusCode(), Duration.ofNanos((long) (millis * 1_000_000)));
        log.atInfo()
                .addKeyValue("requestId", RequestIds.get(ctx))
                .addKeyValue("method", ctx.method().name())
                .addKeyValue("path", ctx.path())
                .addKeyValue("route", route)
                .addKeyValue("status", ctx.statusCode())
                .addKeyValue("durationMs", Math.round(millis * 100) / 100.0)
                .addKeyValue("keyId", AccessControl.key(ctx).map(ApiKey::id).orElse("-"))
                .log("request");
    }

    /** The matched route template (low cardinality, for metrics), or UNMATCHED. */
    static String route(Context ctx) {
        try {
            Endpoint e = ctx.endpoints().lastHttpEndpoint();
            return e == null ? "UNMATCHED" : e.path;
        } catch (RuntimeException e) {
            return "UNMATCHED";
        }
    }
}
