package dev.berth.examples.server.api;

import com.google.inject.Inject;
import dev.berth.core.Berth;
import dev.berth.examples.server.auth.Scope;
import dev.berth.examples.server.http.Validate;
import io.javalin.config.RoutesConfig;

/** Operation status: IN_PROGRESS, SUCCEEDED or FAILED with the reason in {@code lastError}. */
public final class OperationRoutes implements Routes {

    private final Berth berth;

    @Inject
    public OperationRoutes(Berth berth) {
        this.berth = berth;
    }

    @Override
    public void register(RoutesConfig r) {
        r.get("/api/v1/operations/{operationId}", ctx -> ctx.json(berth.operations().get(Validate.uuidParam(ctx, "operationId"))),
                Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        // the operator's lever on a stuck operation: it fails for good and is compensated (never a tenant's)
        r.post("/api/v1/operations/{operationId}/cancel",
                ctx -> ctx.status(202).json(berth.operations().cancel(Validate.uuidParam(ctx, "operationId"))), Scope.ADMIN);
    }
}
