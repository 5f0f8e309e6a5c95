package dev.berth.examples.server.http;

import io.javalin.http.Context;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The request id: the caller's {@code X-Request-Id} when it is a safe token, else a new UUID. Echoed in the
 * response header, in problem documents and in the request's log line.
 */
public final class RequestIds {

    /** Request and response header. */
    public static final String HEADER = "X-Request-Id";
    private static final String ATTRIBUTE = "berth.requestId";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private RequestIds() {
    }

    /** Assigns the id (a before-handler). */
    public static void assign(Context ctx) {
        String given = ctx.header(HEADER);
        String id = given != null && SAFE.matcher(given).matches() ? given : UUID.randomUUID().toString();
        ctx.attribute(ATTRIBUTE, id);
        ctx.header(HEADER, id);
    }

    /** The request's id. */
    public static String get(Context ctx) {
        String id = ctx.attribute(ATTRIBUTE);
        return id == null ? "-" : id;
    }
}
