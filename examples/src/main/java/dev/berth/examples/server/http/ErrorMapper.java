package dev.berth.examples.server.http;

import dev.berth.spi.error.AlreadyExistsException;
import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.IllegalTransitionException;
import dev.berth.spi.error.InsufficientCapacityException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.LimitExceededException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.error.UnsupportedCapabilityException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every exception into an {@code application/problem+json} response. Core's typed exceptions map to
 * statuses by meaning: invalid spec 422 (naming the field), not found 404, illegal transition, conflict and
 * already-exists 409, insufficient capacity 409, an operator's limit reached (instances per tenant) 409, unavailable 503, unsupported capability 422, runtime credentials
 * refused 502. Anything unexpected is a 500 whose detail is only the request id; the cause goes to the log.
 */
public final class ErrorMapper {

    private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {
    }

    /** Registers the handlers. */
    public static void register(RoutesConfig routes) {
        routes.exception(ApiProblem.class, (e, ctx) -> {
            e.headers().forEach(ctx::header);
            write(ctx, e.status(), e.type(), title(e.status()), e.getMessage(), e.field(), null);
        });
        routes.exception(InvalidSpecException.class, (e, ctx) ->
                write(ctx, 422, "validation", "Invalid request", e.getMessage(), e.field(), false));
        routes.exception(NotFoundException.class, (e, ctx) ->
                write(ctx, 404, "not-found", "Not found", e.getMessage(), null, false));
        routes.exception(IllegalTransitionException.class, (e, ctx) ->
                write(ctx, 409, "illegal-transition", "Illegal transition", e.getMessage(), null, false));
        routes.exception(AlreadyExistsException.class, (e, ctx) ->
                write(ctx, 409, "already-exists", "Already exists", e.getMessage(), null, false));
        routes.exception(InsufficientCapacityException.class, (e, ctx) ->
                write(ctx, 409, "insufficient-capacity", "Insufficient capacity", e.getMessage(), null, true));
        routes.exception(LimitExceededException.class, (e, ctx) ->
                write(ctx, 409, "limit-exceeded", "Limit reached", e.getMessage(), null, false));
        routes.exception(ConflictException.class, (e, ctx) -> {
            if (e instanceof LimitExceededException l) {
                write(ctx, 409, "limit-exceeded", "Limit reached", l.getMessage(), null, false);
                return;
            }
            if (e instanceof IllegalTransitionException t) {
                write(ctx, 409, "illegal-transition", "Illegal transition", t.getMessage(), null, false);
                return;
            }
            write(ctx, 409, "conflict", "Conflict", e.getMessage(), null, e.retryable());
        });
        routes.exception(UnavailableException.class, (e, ctx) -> {
            ctx.header("Retry-After", "5");
            write(ctx, 503, "unavailable", "Unavailable", e.getMessage(), null, true);
        });
        routes.exception(UnsupportedCapabilityException.class, (e, ctx) ->
                write(ctx, 422, "unsupported", "Not supported by the runtime", e.getMessage(), null, false));
        routes.exception(AuthenticationException.class, (e, ctx) ->
                write(ctx, 502, "runtime-authentication", "Runtime refused Berth's credentials", e.getMessage(), null, false));
        routes.exception(BerthException.class, (e, ctx) ->
                write(ctx, 500, "berth", "Berth error", e.getMessage(), null, e.retryable()));
        routes.exception(HttpResponseException.class, (e, ctx) -> {
            // Javalin's own answers: unknown route, method not allowed, body over the read limit
            switch (e.getStatus()) {
                case 404 -> write(ctx, 404, "not-found", "Not found", "no such resource: " + ctx.method() + " " + ctx.path(), null, null);
                case 405 -> write(ctx, 405, "method-not-allowed", "Method not allowed", ctx.method() + " is not allowed on " + ctx.path(), null, null);
                case 413 -> write(ctx, 413, "content-too-large", "Content too large", "the body is larger than the server accepts", "body", null);
                default -> write(ctx, e.getStatus(), "http", title(e.getStatus()), title(e.getStatus()), null, null);
            }
        });
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("unexpected error in request {}", RequestIds.get(ctx), e);
            write(ctx, 500, "internal", "Internal error", "unexpected error; see the server log for request "
                    + RequestIds.get(ctx), null, null);
        });
    }

    /** Writes a problem document. */
    public static void write(Context ctx, int status, String type, String title, String detail, String field, Boolean retryable) {
        writeProblem(ctx, new Problem("urn:berth:problem:" + type, title, status, detail, field, RequestIds.get(ctx), retryable, null));
    }

    /** Writes a full problem document. */
    public static void writeProblem(Context ctx, Problem problem) {
        ctx.status(problem.status());
        ctx.contentType(Problem.MEDIA_TYPE);
        try {
            ctx.result(Json.MAPPER.writeValueAsBytes(problem));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a problem record always serialises", e);
        }
    }

    static String title(int status) {
        return switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 409 -> "Conflict";
            case 413 -> "Content too large";
            case 415 -> "Unsupported media type";
            case 422 -> "Invalid request";
            case 429 -> "Too many requests";
            case 503 -> "Unavailable";
            default -> "HTTP " + status;
        };
    }
}
