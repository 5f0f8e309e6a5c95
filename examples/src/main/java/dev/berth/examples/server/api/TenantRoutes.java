package dev.berth.examples.server.api;

import com.google.inject.Inject;
import dev.berth.core.Berth;
import dev.berth.core.tenant.Tenant;
import dev.berth.examples.server.auth.ApiKeyStore;
import dev.berth.examples.server.auth.Scope;
import dev.berth.examples.server.auth.TenantBoundary;
import dev.berth.examples.server.http.ApiProblem;
import dev.berth.examples.server.http.Json;
import dev.berth.examples.server.http.Validate;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.List;

/**
 * Tenants: the portal's customers. Admin and portal keys; a tenant key reads and updates its own tenant only (the
 * list holds just that one) and neither creates nor deletes tenants. Deleting a tenant revokes its tenant keys.
 */
public final class TenantRoutes implements Routes {

    /** Body of POST /tenants. */
    public record CreateTenant(String externalId, String email, String name) { }

    /** Body of PUT /tenants/{tenantId}. */
    public record UpdateTenant(String email, String name) { }

    /**
     * A page of tenants.
     *
     * @param items      the tenants
     * @param offset     where the page starts
     * @param limit      page size asked for
     * @param nextOffset offset of the next page, or null on the last
     */
    public record TenantPage(List<Tenant> items, int offset, int limit, Integer nextOffset) { }

    private final Berth berth;
    private final ApiKeyStore keys;

    @Inject
    public TenantRoutes(Berth berth, ApiKeyStore keys) {
        this.berth = berth;
        this.keys = keys;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/api/v1/tenants", this::create, Scope.ADMIN, Scope.PORTAL);
        r.get("/api/v1/tenants", this::list, Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.get("/api/v1/tenants/{tenantId}", ctx -> ctx.json(berth.tenants().get(Validate.uuidParam(ctx, "tenantId"))),
                Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.put("/api/v1/tenants/{tenantId}", this::update, Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.delete("/api/v1/tenants/{tenantId}", this::delete, Scope.ADMIN, Scope.PORTAL);
    }

    private void create(Context ctx) {
        CreateTenant body = Json.read(ctx, CreateTenant.class);
        Validate.text("externalId", body.externalId(), 200);
        Validate.text("email", body.email(), 320);
        Validate.text("name", body.name(), 200);
        boolean existed = berth.tenants().findByExternalId(body.externalId()).isPresent();
        Tenant t = berth.tenants().create(body.externalId(), body.email(), body.name());
        // creating the same external id again returns the existing tenant (the portal may retry)
        ctx.status(existed ? 200 : 201).header("Location", "/api/v1/tenants/" + t.id()).json(t);
    }

    private void list(Context ctx) {
        String externalId = ctx.queryParam("externalId");
        var bound = TenantBoundary.boundTenant(ctx);
        if (bound.isPresent()) {
            // a tenant key's list is its own tenant, filtered and paged like any other list
            if (externalId != null) Validate.text("externalId", externalId, 200);
            int offset = intQuery(ctx, "offset", 0, 0, Integer.MAX_VALUE);
            int limit = intQuery(ctx, "limit", 50, 1, 500);
            Tenant own = berth.tenants().get(bound.get());
            boolean shown = offset == 0 && (externalId == null || externalId.equals(own.externalId()));
            ctx.json(new TenantPage(shown ? List.of(own) : List.of(), offset, limit, null));
            return;
        }
        if (externalId != null) {
            Validate.text("externalId", externalId, 200);
            List<Tenant> found = berth.tenants().findByExternalId(externalId).map(List::of).orElse(List.of());
            ctx.json(new TenantPage(found, 0, 1, null));
            return;
        }
        int offset = intQuery(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = intQuery(ctx, "limit", 50, 1, 500);
        // one more than asked tells whether a next page exists
        List<Tenant> page = berth.tenants().list(offset, Math.min(limit + 1, 500));
        boolean more = page.size() > limit;
        ctx.json(new TenantPage(more ? page.subList(0, limit) : page, offset, limit, more ? offset + limit : null));
    }

    private void update(Context ctx) {
        String id = Validate.uuidParam(ctx, "tenantId");
        UpdateTenant body = Json.read(ctx, UpdateTenant.class);
        Validate.text("email", body.email(), 320);
        Validate.text("name", body.name(), 200);
        ctx.json(berth.tenants().update(id, body.email(), body.name()));
    }

    private void delete(Context ctx) {
        String id = Validate.uuidParam(ctx, "tenantId");
        berth.tenants().get(id); // 404 for an unknown tenant rather than a silent success
        berth.tenants().delete(id);
        keys.revokeTenant(id); // the customer's dashboard keys die with the tenant
        ctx.status(204);
    }

    static int intQuery(Context ctx, String name, int fallback, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null) return fallback;
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) throw ApiProblem.badRequest(name, "must be between " + min + " and " + max);
            return n;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest(name, "must be a whole number");
        }
    }
}
