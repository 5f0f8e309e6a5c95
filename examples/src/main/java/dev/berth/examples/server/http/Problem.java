package dev.berth.examples.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * An RFC 9457 problem document.
 *
 * @param type      problem kind, a URN such as {@code urn:berth:problem:validation}
 * @param title     short summary of the kind
 * @param status    HTTP status
 * @param detail    what went wrong in this request
 * @param field     the offending field (body path, header, path or query parameter), if any
 * @param requestId the request id, to find the log line
 * @param retryable whether the same request may succeed later
 * @param reasons   per-node reasons (capacity), if any
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field, String requestId,
                      Boolean retryable, Map<String, String> reasons) {

    /** The media type of problem documents. */
    public static final String MEDIA_TYPE = "application/problem+json";
}
