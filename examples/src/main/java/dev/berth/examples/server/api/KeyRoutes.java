package dev.berth.examples.server.api;

import com.google.inject.Inject;
import dev.berth.examples.server.auth.ApiKey;
import dev.berth.examples.server.auth.ApiKeyStore;
import dev.berth.examples.server.auth.IssuedKey;
import dev.berth.examples.server.auth.Scope;
import dev.berth.examples.server.http.ApiProblem;
import dev.berth.examples.server.http.Json;
import dev.berth.examples.server.http.Validate;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** API keys (admin only): issue a portal or admin key (its secret is shown in this one response), list, revoke. */
public final class KeyRoutes implements Routes {

    /** Body of POST /keys. */
    public record IssueKey(String name, Scope scope) { }

    /**
     * A key just issued.
     *
     * @param key    the stored description
     * @param secret the key itself: shown once, never again
     */
    public record IssuedView(ApiKey key, String secret) { }

    private final ApiKeyStore keys;

    @Inject
    public KeyRoutes(ApiKeyStore keys) {
        this.keys = keys;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/api/v1/keys", this::issue, Scope.ADMIN);
        r.get("/api/v1/keys", ctx -> ctx.json(keys.list()), Scope.ADMIN);
        r.delete("/api/v1/keys/{keyId}", ctx -> {
            String id = ctx.pathParam("keyId");
            if (!id.matches("[0-9a-f]{12}")) throw ApiProblem.badRequest("keyId", "must be 12 hex digits");
            keys.delete(id);
            ctx.status(204);
        }, Scope.ADMIN);
    }

    private void issue(Context ctx) {
        IssueKey body = Json.read(ctx, IssueKey.class);
        Validate.text("name", body.name(), 100);
        if (body.scope() == null) throw ApiProblem.invalid("scope", "is required (ADMIN or PORTAL)");
        IssuedKey issued = keys.issue(body.name(), body.scope());
        ctx.status(201).header("Cache-Control", "no-store").json(new IssuedView(issued.key(), issued.secret().reveal()));
    }
}
