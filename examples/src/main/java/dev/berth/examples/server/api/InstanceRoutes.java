package dev.berth.examples.server.api;

import com.google.inject.Inject;
import dev.berth.core.Berth;
import dev.berth.core.catalog.SecretSpec;
import dev.berth.core.instance.Instance;
import dev.berth.core.instance.ProvisionCommand;
import dev.berth.core.instance.SuspensionReason;
import dev.berth.core.operation.Operation;
import dev.berth.core.operation.OperationType;
import dev.berth.examples.server.auth.Scope;
import dev.berth.examples.server.auth.TenantBoundary;
import dev.berth.examples.server.http.ApiProblem;
import dev.berth.examples.server.http.Json;
import dev.berth.examples.server.http.Validate;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Instances and their lifecycle. Every long action answers 202 with the instance and the operation that
 * carries it out ({@code Location} points at the operation). Admin, portal and tenant keys; a tenant key reaches
 * only its tenant's instances ({@link TenantBoundary} checks the ids in paths, the routes those in bodies), may
 * leave {@code tenantId} out when provisioning, and cannot get around billing (see {@link TenantBoundary}).
 */
public final class InstanceRoutes implements Routes {

    /** Header that makes provisioning idempotent. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");

    /** Body of POST /instances. */
    public record ProvisionBody(String tenantId, String appId, String planId, String appVersion) { }

    /** Body of POST /instances/{id}/change-plan. */
    public record ChangePlanBody(String planId) { }

    /** Body of POST /instances/{id}/upgrade. */
    public record UpgradeBody(String version) { }

    /** Body of POST /instances/{id}/restore. */
    public record RestoreBody(String backupId) { }

    private final Berth berth;
    private final TenantBoundary boundary;

    @Inject
    public InstanceRoutes(Berth berth, TenantBoundary boundary) {
        this.berth = berth;
        this.boundary = boundary;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/api/v1/instances", this::provision, Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.get("/api/v1/instances/{instanceId}", ctx -> ctx.json(InstanceView.of(instance(ctx))), Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.get("/api/v1/tenants/{tenantId}/instances", this::listForTenant, Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.post("/api/v1/instances/{instanceId}/suspend",
                ctx -> accepted(ctx, berth.instances().suspend(id(ctx), SuspensionReason.ADMIN)), Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.post("/api/v1/instances/{instanceId}/resume", ctx -> {
            String id = id(ctx);
            boundary.requireNotBillingSuspended(ctx, berth.instances().get(id));
            accepted(ctx, berth.instances().resume(id));
        },
                Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.post("/api/v1/instances/{instanceId}/change-plan", ctx -> {
            String id = id(ctx);
            boundary.requireUnbilled(ctx, "change the plan");
            ChangePlanBody body = Json.read(ctx, ChangePlanBody.class);
            accepted(ctx, berth.instances().changePlan(id, Validate.label("planId", body.planId())));
        }, Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.post("/api/v1/instances/{instanceId}/upgrade", ctx -> {
            String id = id(ctx);
            UpgradeBody body = Json.read(ctx, UpgradeBody.class);
            accepted(ctx, berth.instances().upgrade(id, version("version", body.version())));
        }, Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.post("/api/v1/instances/{instanceId}/backups", ctx -> accepted(ctx, berth.instances().backup(id(ctx))),
                Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.get("/api/v1/instances/{instanceId}/backups", ctx -> ctx.json(berth.instances().backups(id(ctx))),
                Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.post("/api/v1/instances/{instanceId}/restore", ctx -> {
            String id = id(ctx);
            RestoreBody body = Json.read(ctx, RestoreBody.class);
            String backupId = Validate.text("backupId", body.backupId(), 200);
            // only a backup of this instance: refused here rather than by the operation, whose reason would tell
            // a backup of another instance (maybe another tenant's) from one that does not exist
            if (berth.instances().backups(id).stream().noneMatch(b -> b.backupId().equals(backupId))) {
                throw new ApiProblem(404, "not-found", "backup '" + backupId + "' not found", "backupId", null);
            }
            accepted(ctx, berth.instances().restore(id, backupId));
        }, Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.delete("/api/v1/instances/{instanceId}", ctx -> accepted(ctx, berth.instances().terminate(id(ctx))),
                Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.get("/api/v1/instances/{instanceId}/credentials", this::credentials, Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.get("/api/v1/instances/{instanceId}/operations", ctx -> ctx.json(berth.operations().forInstance(instance(ctx).id())),
                Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
    }

    /**
     * Provision is idempotent by (tenant, Idempotency-Key): core stores the key with the instance under a unique
     * constraint, and the answer is rebuilt from that instance and its PROVISION operation, so a retry gets the
     * same instance and operation ids and the same 202 however often it is sent.
     */
    private void provision(Context ctx) {
        String key = ctx.header(IDEMPOTENCY_KEY);
        if (key == null || key.isEmpty()) {
            throw ApiProblem.badRequest(IDEMPOTENCY_KEY, "is required: one unique value per order, sent again on retry");
        }
        if (!KEY.matcher(key).matches()) {
            throw ApiProblem.badRequest(IDEMPOTENCY_KEY, "must be 1-200 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'");
        }
        boundary.requireUnbilled(ctx, "provision");
        ProvisionBody body = Json.read(ctx, ProvisionBody.class);
        // a tenant key may leave its own tenant implicit
        String tenantId = Validate.text("tenantId", body.tenantId() != null ? body.tenantId()
                : TenantBoundary.boundTenant(ctx).orElse(null), 64);
        boundary.requireTenant(ctx, "tenantId", tenantId);
        String appId = Validate.label("appId", body.appId());
        String planId = Validate.label("planId", body.planId());
        String version = body.appVersion() == null ? null : version("appVersion", body.appVersion());
        Instance instance = berth.instances().provision(new ProvisionCommand(tenantId, appId, planId, key, version));
        Operation op = berth.operations().forInstance(instance.id()).stream()
                .filter(o -> o.type() == OperationType.PROVISION).findFirst()
                .orElseThrow(() -> new IllegalStateException("instance " + instance.id() + " has no provision operation"));
        respond(ctx, instance, op);
    }

    /**
     * The hand-over of the customer's initial logins: only the secrets the app's template marks as credentials
     * (never an encryption key or a database password). Not cached; values never reach a log.
     */
    private void credentials(Context ctx) {
        Instance instance = instance(ctx);
        Set<String> handOver = berth.catalog().get(instance.appId()).secrets().stream()
                .filter(SecretSpec::credential).map(SecretSpec::name).collect(Collectors.toSet());
        Map<String, String> out = new TreeMap<>();
        berth.instances().credentials(instance.id()).forEach((name, value) -> {
            if (handOver.contains(name)) out.put(name, value.reveal());
        });
        // the owner account's login name and where to use it, beside its password (the credential secret)
        berth.instances().ownerLogin(instance.id()).ifPresent(owner -> {
            out.put("login", owner.login());
            out.put("loginUrl", owner.loginUrl());
        });
        ctx.header("Cache-Control", "no-store").json(out);
    }

    private void listForTenant(Context ctx) {
        String tenantId = Validate.uuidParam(ctx, "tenantId");
        berth.tenants().get(tenantId); // 404 for an unknown tenant, not an empty list
        ctx.json(berth.instances().list(tenantId).stream().map(InstanceView::of).toList());
    }

    private void accepted(Context ctx, Operation op) {
        respond(ctx, berth.instances().get(op.instanceId()), op);
    }

    private static void respond(Context ctx, Instance instance, Operation op) {
        ctx.status(202)
                .header("Location", "/api/v1/operations/" + op.id())
                .json(new Accepted(InstanceView.of(instance), op));
    }

    private Instance instance(Context ctx) {
        return berth.instances().get(id(ctx));
    }

    private static String id(Context ctx) {
        return Validate.uuidParam(ctx, "instanceId");
    }

    private static String version(String field, String value) {
        if (value == null) throw ApiProblem.invalid(field, "is required");
        if (!VERSION.matcher(value).matches()) throw ApiProblem.invalid(field, "must be a version such as 5.116.2");
        return value;
    }

    /**
     * The answer to a long action.
     *
     * @param instance  the instance as it is now
     * @param operation the operation carrying the action out; poll {@code GET /api/v1/operations/{id}}
     */
    public record Accepted(InstanceView instance, Operation operation) { }
}
