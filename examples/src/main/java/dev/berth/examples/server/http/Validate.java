package dev.berth.examples.server.http;

import io.javalin.http.Context;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks on values taken from a request before they reach Berth: ids in paths, DNS labels, host names, labels.
 * Nothing from a request reaches a runtime label, a host name or a shell unchecked.
 */
public final class Validate {

    /** A lower-case DNS label (RFC 1123): what slugs, plan, node and app ids must be. */
    public static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** A lower-case host name: dot-separated DNS labels, at most 253 characters. */
    public static final Pattern HOST_NAME = Pattern.compile("(?=.{1,253}$)" + DNS_LABEL.pattern() + "(\\." + DNS_LABEL.pattern() + ")*");
    private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private Validate() {
    }

    /** A Berth-generated id (tenant, instance, operation) from the path. */
    public static String uuidParam(Context ctx, String name) {
        String v = ctx.pathParam(name);
        if (!UUID.matcher(v).matches()) throw ApiProblem.badRequest(name, "must be a lower-case UUID");
        return v;
    }

    /** A slug-like id (plan, node, app) from the path. */
    public static String labelParam(Context ctx, String name) {
        String v = ctx.pathParam(name);
        if (!DNS_LABEL.matcher(v).matches()) throw ApiProblem.badRequest(name, "must be a lower-case DNS label (a-z, 0-9, '-', at most 63)");
        return v;
    }

    /** A required body field that must be a lower-case DNS label. */
    public static String label(String field, String value) {
        if (value == null) throw ApiProblem.invalid(field, "is required");
        if (!DNS_LABEL.matcher(value).matches()) throw ApiProblem.invalid(field, "must be a lower-case DNS label (a-z, 0-9, '-', at most 63)");
        return value;
    }

    /** An optional body field that must be a lower-case host name or an IPv4 address. */
    public static String hostOrAddress(String field, String value) {
        if (value == null) return null;
        if (!HOST_NAME.matcher(value).matches() && !IPV4.matcher(value).matches()) {
            throw ApiProblem.invalid(field, "must be a lower-case host name or an IPv4 address");
        }
        return value;
    }

    /** A required text field of at most {@code max} characters without control characters. */
    public static String text(String field, String value, int max) {
        if (value == null || value.isBlank()) throw ApiProblem.invalid(field, "is required");
        if (value.length() > max) throw ApiProblem.invalid(field, "must be at most " + max + " characters");
        if (value.chars().anyMatch(Character::isISOControl)) throw ApiProblem.invalid(field, "must not contain control characters");
        return value;
    }

    /** Placement labels: keys and values are lower-case DNS labels. */
    public static Map<String, String> labels(String field, Map<String, String> labels) {
        if (labels == null) return Map.of();
        if (labels.size() > 32) throw ApiProblem.invalid(field, "at most 32 labels");
        labels.forEach((k, v) -> {
            if (!DNS_LABEL.matcher(k).matches()) throw ApiProblem.invalid(field + "." + k, "key must be a lower-case DNS label");
            if (v == null || !DNS_LABEL.matcher(v).matches()) throw ApiProblem.invalid(field + "." + k, "value must be a lower-case DNS label");
        });
        return labels;
    }
}
