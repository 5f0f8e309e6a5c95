package dev.berth.examples.server.api;

import com.google.inject.Inject;
import dev.berth.examples.server.auth.ApiKey;
import dev.berth.examples.server.auth.ApiKeyStore;
import dev.berth.examples.server.auth.IssuedKey;
import dev.berth.examples.server.auth.Scope;
import dev.berth.examples.server.auth.TenantBoundary;
import dev.berth.examples.server.http.ApiProblem;
import dev.berth.examples.server.http.Json;
import dev.berth.examples.server.http.Validate;
import dev.berth.spi.error.NotFoundException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.List;
import java.util.regex.Pattern;

/**
 * API keys (admin only): issue an admin, portal or tenant key (its secret is shown in this one response), list
 * (optionally one tenant's), revoke. A tenant key names its tenant; that tenant must exist and not be deleted.
 */
public final class KeyRoutes implements Routes {

    private static final Pattern TENANT_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /**
     * Body of POST /keys.
     *
     * @param name     what the operator calls the key
     * @param scope    ADMIN, PORTAL or TENANT
     * @param tenantId the tenant a TENANT key is bound to; left out for the other scopes
     */
    public record IssueKey(String name, Scope scope, String tenantId) { }

    /**
     * A key just issued.
     *
     * @param key    the stored description
     * @param secret the key itself: shown once, never again
     */
    public record IssuedView(ApiKey key, String secret) { }

    private final ApiKeyStore keys;
    private final TenantBoundary boundary;

    @Inject
    public KeyRoutes(ApiKeyStore keys, TenantBoundary boundary) {
        this.keys = keys;
        this.boundary = boundary;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/api/v1/keys", this::issue, Scope.ADMIN);
        r.get("/api/v1/keys", this::list, Scope.ADMIN);
        r.delete("/api/v1/keys/{keyId}", ctx -> {
            String id = ctx.pathParam("keyId");
            if (!id.matches("[0-9a-f]{12}")) throw ApiProblem.badRequest("keyId", "must be 12 hex digits");
            keys.delete(id);
            ctx.status(204);
        }, Scope.ADMIN);
    }

    private void list(Context ctx) {
        String tenantId = ctx.queryParam("tenantId");
        if (tenantId != null && !TENANT_ID.matcher(tenantId).matches()) throw ApiProblem.badRequest("tenantId", "must be a tenant id");
        List<ApiKey> all = keys.list();
        ctx.json(tenantId == null ? all : all.stream().filter(k -> tenantId.equals(k.tenantId())).toList());
    }

    private void issue(Context ctx) {
        IssueKey body = Json.read(ctx, IssueKey.class);
        Validate.text("name", body.name(), 100);
        if (body.scope() == null) throw ApiProblem.invalid("scope", "is required (ADMIN, PORTAL or TENANT)");
        String tenantId = body.tenantId();
        if (body.scope() == Scope.TENANT) {
            if (tenantId == null || tenantId.isBlank()) throw ApiProblem.badRequest("tenantId", "is required for a TENANT key");
            if (!TENANT_ID.matcher(tenantId).matches()) throw ApiProblem.badRequest("tenantId", "must be a tenant id (a lower-case UUID)");
            if (!boundary.tenantAlive(tenantId)) throw tenantNotFound(tenantId);
        } else if (tenantId != null) {
            throw ApiProblem.badRequest("tenantId", "only a TENANT key is bound to a tenant; leave it out for " + body.scope());
        }
        IssuedKey issued;
        try {
            issued = keys.issue(body.name(), body.scope(), tenantId);
        } catch (NotFoundException e) {
            throw tenantNotFound(tenantId); // deleted between the check and the insert
        }
        ctx.status(201).header("Cache-Control", "no-store").json(new IssuedView(issued.key(), issued.secret().reveal()));
    }

    private static ApiProblem tenantNotFound(String tenantId) {
        return new ApiProblem(404, "not-found", "tenant '" + tenantId + "' not found (or deleted)", "tenantId", null);
    }
}
