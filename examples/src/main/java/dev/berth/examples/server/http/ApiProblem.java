package dev.berth.examples.server.http;

import java.util.Map;

/**
 * An error the HTTP layer itself raises (bad header, malformed JSON, auth, rate limit), turned into an
 * {@code application/problem+json} response by {@link ErrorMapper}. Messages never contain request values
 * that could be secret (keys, bodies).
 */
public final class ApiProblem extends RuntimeException {

    private final int status;
    private final String type;
    private final String field;
    private final Map<String, String> headers;

    public ApiProblem(int status, String type, String detail, String field, Map<String, String> headers) {
        super(detail, null, false, false); // an expected outcome: no stack trace to fill
        this.status = status;
        this.type = type;
        this.field = field;
        this.headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** A 400 for a request that cannot be read: the field names the header, path or query parameter. */
    public static ApiProblem badRequest(String field, String detail) {
        return new ApiProblem(400, "bad-request", detail, field, null);
    }

    /** A 422 for a readable body whose field is invalid. */
    public static ApiProblem invalid(String field, String detail) {
        return new ApiProblem(422, "validation", detail, field, null);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String field() {
        return field;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
