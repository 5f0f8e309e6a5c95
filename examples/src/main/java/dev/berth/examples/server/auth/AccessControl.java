package dev.berth.examples.server.auth;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import dev.berth.examples.server.http.ApiProblem;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.javalin.security.RouteRole;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs before every matched route: routes without scopes are public; the others need
 * {@code Authorization: Bearer <key>} of a key whose scope the route admits (401 without a valid key, 403 outside
 * its scope) and a token from the key's rate limit (429 with Retry-After). A tenant key is refused (401) once its
 * tenant is deleted, and whatever of another tenant its request names answers 404 ({@link TenantBoundary}) —
 * checked before the scope, so that a route it may never call does not tell another tenant's ids from unknown ones.
 */
@Singleton
public final class AccessControl {

    private static final String ATTRIBUTE = "berth.apiKey";

    private final ApiKeyStore keys;
    private final RateLimiter limiter;
    private final TenantBoundary boundary;

    @Inject
    public AccessControl(ApiKeyStore keys, RateLimiter limiter, TenantBoundary boundary) {
        this.keys = keys;
        this.limiter = limiter;
        this.boundary = boundary;
    }

    /** The before-matched handler. */
    public void check(Context ctx) {
        Set<RouteRole> admitted = ctx.routeRoles();
        if (admitted.isEmpty()) return;
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw unauthorized("an API key is required: Authorization: Bearer <key>");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorized("the Authorization header must be 'Bearer <key>'");
        }
        ApiKey key = keys.authenticate(header.substring(7).trim())
                .filter(k -> !k.tenantBound() || boundary.tenantAlive(k.tenantId()))
                .orElseThrow(() -> unauthorized("the API key is not valid"));
        ctx.attribute(ATTRIBUTE, key);
        RateLimiter.Decision d = limiter.acquire(key.id());
        ctx.header("RateLimit-Remaining", Long.toString(d.remaining()));
        if (!d.allowed()) {
            throw new ApiProblem(429, "rate-limited", "rate limit of this API key exceeded; retry after "
                    + d.retryAfterSeconds() + " s", null, Map.of("Retry-After", Long.toString(d.retryAfterSeconds())));
        }
        if (key.tenantBound()) boundary.checkPath(ctx, key);
        if (!admitted.contains(key.scope())) {
            throw new ApiProblem(403, "forbidden", "this API key's scope " + key.scope() + " does not allow "
                    + ctx.method() + " " + route(ctx), "Authorization", null);
        }
    }

    /** The matched route's template (in a before-handler, {@code ctx.endpoint()} is the before-handler's "*"). */
    static String route(Context ctx) {
        Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        return matched == null ? ctx.path() : matched.path;
    }

    /** The key that authenticated this request, if any (for the request log: its id only). */
    public static Optional<ApiKey> key(Context ctx) {
        return Optional.ofNullable(ctx.attribute(ATTRIBUTE));
    }

    private static ApiProblem unauthorized(String detail) {
        return new ApiProblem(401, "unauthorized", detail, "Authorization", Map.of("WWW-Authenticate", "Bearer"));
    }
}
