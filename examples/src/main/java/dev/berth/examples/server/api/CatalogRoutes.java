package dev.berth.examples.server.api;

import com.google.inject.Inject;
import dev.berth.core.Berth;
import dev.berth.core.catalog.AppTemplate;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.plan.BackupPolicy;
import dev.berth.core.plan.Isolation;
import dev.berth.core.plan.Plan;
import dev.berth.examples.server.auth.Scope;
import dev.berth.examples.server.http.ApiProblem;
import dev.berth.examples.server.http.Json;
import dev.berth.examples.server.http.Validate;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.error.AlreadyExistsException;
import dev.berth.spi.error.BerthException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The app catalog (read-only) and plans (read by both scopes, written by the admin). */
public final class CatalogRoutes implements Routes {

    /**
     * What a portal shows about an app.
     *
     * @param id                      app id
     * @param name                    display name
     * @param description             one line
     * @param defaultVersion          version new instances get
     * @param supportedVersions       versions an instance may run
     * @param licence                 SPDX id
     * @param licenceNotes            what the licence means for hosting it
     * @param offerable               false while the licence needs an acknowledgement the operator has not given
     */
    public record AppView(String id, String name, String description, String defaultVersion, List<String> supportedVersions,
                          String licence, String licenceNotes, boolean offerable) { }

    private final Berth berth;
    private final Set<String> acknowledged;

    @Inject
    public CatalogRoutes(Berth berth, EngineSettings engine) {
        this.berth = berth;
        this.acknowledged = engine.licenceAcknowledgements();
    }

    @Override
    public void register(RoutesConfig r) {
        r.get("/api/v1/catalog", ctx -> ctx.json(berth.catalog().all().stream().map(this::view).toList()), Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.get("/api/v1/catalog/{appId}", ctx -> ctx.json(view(berth.catalog().get(Validate.labelParam(ctx, "appId")))),
                Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.get("/api/v1/plans", ctx -> ctx.json(berth.plans().list()), Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.get("/api/v1/plans/{planId}", ctx -> ctx.json(berth.plans().get(Validate.labelParam(ctx, "planId"))),
                Scope.ADMIN, Scope.PORTAL, Scope.TENANT);
        r.post("/api/v1/plans", this::createPlan, Scope.ADMIN);
        r.put("/api/v1/plans/{planId}", this::updatePlan, Scope.ADMIN);
    }

    private void createPlan(Context ctx) {
        Plan plan = Json.read(ctx, PlanBody.class).toPlan();
        if (berth.plans().find(plan.id()).isPresent()) {
            throw new AlreadyExistsException("plan '" + plan.id() + "' already exists; PUT /api/v1/plans/" + plan.id() + " changes it");
        }
        ctx.status(201).header("Location", "/api/v1/plans/" + plan.id()).json(berth.plans().save(plan));
    }

    private void updatePlan(Context ctx) {
        String id = Validate.labelParam(ctx, "planId");
        Plan plan = Json.read(ctx, PlanBody.class).toPlan();
        if (!id.equals(plan.id())) throw ApiProblem.invalid("id", "must equal the plan id in the path ('" + id + "')");
        berth.plans().get(id);
        ctx.json(berth.plans().save(plan));
    }

    /** A plan as the API accepts it: the placement options may be left out (configured strategy, no anti-affinity). */
    record PlanBody(String id, String name, ResourceLimits resources, BackupPolicy backupPolicy, Isolation isolation,
                    Duration gracePeriod, Duration retention, Map<String, String> priceIds, String placementStrategy,
                    Boolean antiAffinity) {
        Plan toPlan() {
            return new Plan(id, name, resources, backupPolicy, isolation, gracePeriod, retention, priceIds,
                    placementStrategy, Boolean.TRUE.equals(antiAffinity));
        }
    }

    private AppView view(AppTemplate app) {
        boolean offerable;
        try {
            berth.catalog().requireOfferable(app.id(), acknowledged);
            offerable = true;
        } catch (BerthException e) {
            offerable = false;
        }
        return new AppView(app.id(), app.name(), app.description(), app.defaultVersion(), app.supportedVersions(),
                app.licence() == null ? null : app.licence().spdx(), app.licence() == null ? null : app.licence().notes(), offerable);
    }
}
