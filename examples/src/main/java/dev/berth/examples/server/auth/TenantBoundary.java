package dev.berth.examples.server.auth;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import dev.berth.core.Berth;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.operation.Operation;
import dev.berth.core.tenant.Tenant;
import dev.berth.examples.server.config.ServerConfig;
import dev.berth.examples.server.http.ApiProblem;
import dev.berth.examples.server.http.Validate;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.NotFoundException;
import io.javalin.http.Context;

import java.util.Optional;
import java.util.Set;

/**
 * Keeps a {@link Scope#TENANT} key inside its tenant. Whatever of another tenant it names — in the path, a query or
 * a body — answers exactly what an id that does not exist answers (404), so the key learns nothing about other
 * tenants, not even that they exist. Keys of the other scopes pass unchanged.
 *
 * <p>{@link #checkPath} runs for every route before its scope is checked: the path parameters that name a
 * tenant's things ({@code tenantId}, {@code instanceId}, {@code operationId}) are resolved to their tenant;
 * parameters naming shared things (plans, apps, nodes, keys) are let through; any other parameter is refused
 * (fail closed), so a new route cannot leak by naming its parameter differently. Ids in bodies and queries are
 * checked by their routes through {@link #requireTenant} and {@link #requireInstance}.
 *
 * <p>A tenant key is the customer's own, so it cannot get around billing: it cannot resume an instance suspended
 * for BILLING (that lifts when payment resumes), and while the server bills through Stripe it buys new instances
 * and other plans through {@code /billing/checkout} instead of provisioning or changing plans directly.
 */
@Singleton
public final class TenantBoundary {

    /** Path parameters that name things every tenant shares. */
    private static final Set<String> SHARED = Set.of("planId", "appId", "nodeId", "keyId");

    private final Berth berth;
    private final boolean billed;

    @Inject
    public TenantBoundary(Berth berth, ServerConfig config) {
        this.berth = berth;
        this.billed = config.stripe().enabled();
    }

    /** The tenant the request's key is bound to, if it is a tenant key. */
    public static Optional<String> boundTenant(Context ctx) {
        return AccessControl.key(ctx).map(ApiKey::tenantId);
    }

    /** True while the tenant exists and is not deleted (a deleted tenant that keeps history stays as DISABLED). */
    public boolean tenantAlive(String tenantId) {
        try {
            return berth.tenants().get(tenantId).status() == Tenant.TenantStatus.ACTIVE;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Resolves the path parameters of a tenant key's request; 404 for anything outside its tenant. */
    void checkPath(Context ctx, ApiKey key) {
        for (String name : ctx.pathParamMap().keySet()) {
            switch (name) {
                case "tenantId" -> {
                    String id = Validate.uuidParam(ctx, name);
                    if (!id.equals(key.tenantId())) throw new NotFoundException("tenant", id);
                }
                case "instanceId" -> ownInstance(key, Validate.uuidParam(ctx, name), null);
                case "operationId" -> {
                    String id = Validate.uuidParam(ctx, name);
                    Operation op = berth.operations().get(id);
                    if (op.instanceId() == null || !ownsInstance(key, op.instanceId())) throw new NotFoundException("operation", id);
                }
                default -> {
                    // a route the key may not call anyway gets its 403; one it may call must not leak
                    if (!SHARED.contains(name) && ctx.routeRoles().contains(Scope.TENANT)) {
                        throw new IllegalStateException("path parameter {" + name + "} of " + AccessControl.route(ctx)
                                + " is not known to TenantBoundary; refusing a tenant key");
                    }
                }
            }
        }
    }

    /**
     * For a tenant key: {@code tenantId} (named by {@code field} of the body or query) must be its own tenant, else
     * 404 naming the field — the same for another tenant's id as for an id that exists nowhere. No-op otherwise.
     */
    public void requireTenant(Context ctx, String field, String tenantId) {
        Optional<String> bound = boundTenant(ctx);
        if (bound.isPresent() && !bound.get().equals(tenantId)) {
            throw new ApiProblem(404, "not-found", "tenant '" + tenantId + "' not found", field, null);
        }
    }

    /** For a tenant key: refuses (409) to resume an instance that billing suspended. No-op for other keys. */
    public void requireNotBillingSuspended(Context ctx, Instance instance) {
        if (boundTenant(ctx).isPresent() && instance.suspensionReason() == SuspensionReason.BILLING) {
            throw new ConflictException("instance " + instance.id() + " is suspended for billing; it resumes when payment does");
        }
    }

    /** For a tenant key while the server bills through Stripe: refuses (403) {@code what}; checkout sells it. */
    public void requireUnbilled(Context ctx, String what) {
        if (billed && boundTenant(ctx).isPresent()) {
            throw new ApiProblem(403, "forbidden", "a TENANT key cannot " + what + " while billing is on; buy through POST "
                    + "/api/v1/tenants/{tenantId}/billing/checkout", "Authorization", null);
        }
    }

    /** For a tenant key: {@code instanceId} (named by {@code field}) must be one of its tenant's instances, else 404. */
    public void requireInstance(Context ctx, String field, String instanceId) {
        Optional<ApiKey> key = AccessControl.key(ctx).filter(ApiKey::tenantBound);
        if (key.isPresent()) ownInstance(key.get(), instanceId, field);
    }

    private void ownInstance(ApiKey key, String instanceId, String field) {
        if (ownsInstance(key, instanceId)) return;
        // in a path: exactly core's answer for an unknown instance; in a body: the same, naming the field
        if (field == null) throw new NotFoundException("instance", instanceId);
        throw new ApiProblem(404, "not-found", "instance '" + instanceId + "' not found", field, null);
    }

    private boolean ownsInstance(ApiKey key, String instanceId) {
        try {
            return berth.instances().get(instanceId).tenantId().equals(key.tenantId());
        } catch (NotFoundException e) {
            return false;
        }
    }
}
