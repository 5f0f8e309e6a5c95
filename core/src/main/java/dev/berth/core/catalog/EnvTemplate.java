package dev.berth.core.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed env value template: literal text and placeholders. {@code ${...}} is a placeholder; {@code $${}
 * stands for a literal {@code ${} (for values such as shell or PHP snippets); any other {@code $} is literal.
 */
final class EnvTemplate {

    /** What a placeholder refers to. */
    enum Kind { HOST, URL, SLUG, INSTANCE_ID, TENANT_ID, TIMEZONE, SECRET, COMPONENT_HOST, OWNER_EMAIL, OWNER_FIRST_NAME, OWNER_LAST_NAME }

    /** One piece of a template: literal text ({@code kind == null}) or a placeholder with its argument. */
    record Part(String literal, Kind kind, String argument) { }

    private static final Pattern SECRET = Pattern.compile("secret\\.([A-Za-z0-9_]+)");
    private static final Pattern COMPONENT_HOST = Pattern.compile("component\\.([a-z0-9][a-z0-9-]*)\\.host");

    static final String KNOWN = "${host}, ${url}, ${slug}, ${instanceId}, ${tenantId}, ${timezone}, "
            + "${secret.NAME}, ${component.NAME.host}, ${owner.email}, ${owner.firstName}, ${owner.lastName}";

    private final List<Part> parts;

    private EnvTemplate(List<Part> parts) {
        this.parts = parts;
    }

    List<Part> parts() {
        return parts;
    }

    boolean referencesOwner() {
        return parts.stream().anyMatch(p -> p.kind() == Kind.OWNER_EMAIL || p.kind() == Kind.OWNER_FIRST_NAME
                || p.kind() == Kind.OWNER_LAST_NAME);
    }

    boolean referencesSecret() {
        return parts.stream().anyMatch(p -> p.kind() == Kind.SECRET);
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException with a message fit for an {@code InvalidSpecException}; it names the
     *                                  placeholder, which is template text and never a secret
     */
    static EnvTemplate parse(String raw) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < raw.length()) {
            if (raw.startsWith("$${", i)) {
                literal.append("${");
                i += 3;
            } else if (raw.startsWith("${", i)) {
                int end = raw.indexOf('}', i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated placeholder '" + raw.substring(i)
                            + "' (write $${ for a literal ${)");
                }
                if (literal.length() > 0) {
                    parts.add(new Part(literal.toString(), null, null));
                    literal.setLength(0);
                }
                parts.add(placeholder(raw.substring(i + 2, end)));
                i = end + 1;
            } else {
                literal.append(raw.charAt(i++));
            }
        }
        if (literal.length() > 0) {
            parts.add(new Part(literal.toString(), null, null));
        }
        return new EnvTemplate(List.copyOf(parts));
    }

    private static Part placeholder(String expr) {
        switch (expr) {
            case "host": return new Part(null, Kind.HOST, null);
            case "url": return new Part(null, Kind.URL, null);
            case "slug": return new Part(null, Kind.SLUG, null);
            case "instanceId": return new Part(null, Kind.INSTANCE_ID, null);
            case "tenantId": return new Part(null, Kind.TENANT_ID, null);
            case "timezone": return new Part(null, Kind.TIMEZONE, null);
            case "owner.email": return new Part(null, Kind.OWNER_EMAIL, null);
            case "owner.firstName": return new Part(null, Kind.OWNER_FIRST_NAME, null);
            case "owner.lastName": return new Part(null, Kind.OWNER_LAST_NAME, null);
            default:
                Matcher secret = SECRET.matcher(expr);
                if (secret.matches()) {
                    return new Part(null, Kind.SECRET, secret.group(1));
                }
                Matcher component = COMPONENT_HOST.matcher(expr);
                if (component.matches()) {
                    return new Part(null, Kind.COMPONENT_HOST, component.group(1));
                }
                throw new IllegalArgumentException("unknown placeholder '${" + expr + "}'; known: " + KNOWN);
        }
    }
}
