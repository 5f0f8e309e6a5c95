package dev.berth.examples.server;

import com.google.inject.Injector;
import dev.berth.examples.server.api.CatalogRoutes;
import dev.berth.examples.server.api.HealthRoutes;
import dev.berth.examples.server.api.InstanceRoutes;
import dev.berth.examples.server.api.KeyRoutes;
import dev.berth.examples.server.api.NodeRoutes;
import dev.berth.examples.server.api.OperationRoutes;
import dev.berth.examples.server.api.Routes;
import dev.berth.examples.server.api.StripeRoutes;
import dev.berth.examples.server.api.TenantRoutes;
import dev.berth.examples.server.auth.AccessControl;
import dev.berth.examples.server.config.ServerConfig;
import dev.berth.examples.server.http.ApiProblem;
import dev.berth.examples.server.http.ErrorMapper;
import dev.berth.examples.server.http.Json;
import dev.berth.examples.server.http.RequestIds;
import dev.berth.examples.server.http.RequestLog;
import dev.berth.examples.server.metrics.ServerMetrics;
import dev.berth.examples.server.openapi.OpenApiRoutes;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;

import java.util.List;

/** Builds the Javalin application: request ids, body limit, access control, the feature routes, errors, logs. */
final class HttpApp {

    /** Every feature's routes, in registration order. */
    static final List<Class<? extends Routes>> ROUTES = List.of(HealthRoutes.class, OpenApiRoutes.class, TenantRoutes.class,
            CatalogRoutes.class, InstanceRoutes.class, OperationRoutes.class, NodeRoutes.class, KeyRoutes.class,
            StripeRoutes.class);

    private HttpApp() {
    }

    static Javalin create(Injector injector) {
        ServerConfig config = injector.getInstance(ServerConfig.class);
        AccessControl access = injector.getInstance(AccessControl.class);
        ServerMetrics metrics = injector.getInstance(ServerMetrics.class);
        long maxBody = config.http().maxBodyBytes();
        return Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            cfg.http.maxRequestSize = maxBody; // also bounds chunked bodies, which have no Content-Length
            cfg.routes.before(ctx -> {
                RequestIds.assign(ctx);
                long length = ctx.req().getContentLengthLong();
                if (length > maxBody) {
                    // a moderately oversized body is read before it is refused: answering while the client is still
                    // sending makes Jetty close the connection, and the client may then see a reset instead of the
                    // 413. Bodies far over the limit are not read.
                    if (length <= 4 * maxBody) {
                        ctx.req().getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                    }
                    throw new ApiProblem(413, "content-too-large", "the body is " + length + " bytes; at most " + maxBody
                            + " are accepted", "body", null);
                }
            });
            cfg.routes.beforeMatched(access::check);
            for (Class<? extends Routes> routes : ROUTES) {
                injector.getInstance(routes).register(cfg.routes);
            }
            ErrorMapper.register(cfg.routes);
            cfg.requestLogger.http((ctx, millis) -> RequestLog.log(ctx, millis, metrics));
        });
    }
}
