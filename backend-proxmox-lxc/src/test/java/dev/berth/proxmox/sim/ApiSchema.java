package dev.berth.proxmox.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The Proxmox VE API schema (a trimmed copy of pve-docs' {@code apidata.js}, see
 * {@code tools/trim-schema.py}) and a validator that checks a request the way pve-common's
 * {@code JSONSchema.pm} does: unknown and missing parameters, types, ranges, enums, patterns, lengths, named
 * formats, property strings ({@code key=value,…} with a default key) and indexed names ({@code net0} for
 * {@code net[n]}). Error texts are Proxmox's own.
 */
public final class ApiSchema {

    /** The trimmed schema shipped in the test resources. */
    public static final String RESOURCE = "/proxmox/pve-apidata-trimmed.json";

    private static final Pattern INDEXED = Pattern.compile("^([a-z]+)(\\d+)$");
    private static final String DNS_LABEL = "[a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?";
    private static final Map<String, Pattern> FORMATS = Map.ofEntries(
            Map.entry("pve-node", Pattern.compile(DNS_LABEL)),
            Map.entry("pve-vmid", Pattern.compile("[1-9][0-9]{2,8}")),
            Map.entry("pve-vmid-list", Pattern.compile("[1-9][0-9]{2,8}([,;\\s]+[1-9][0-9]{2,8})*")),
            Map.entry("dns-name", Pattern.compile(DNS_LABEL + "(\\." + DNS_LABEL + ")*")),
            Map.entry("pve-storage-id", Pattern.compile("(?i)[a-z][a-z0-9\\-_.]*[a-z0-9]")),
            Map.entry("pve-configid", Pattern.compile("(?i)[a-z][a-z0-9_-]+")),
            Map.entry("pve-configid-list", Pattern.compile("(?i)[a-z][a-z0-9_-]+([,;\\s]+[a-z][a-z0-9_-]+)*")),
            Map.entry("pve-tag-list", Pattern.compile("(?i)[a-z0-9_][a-z0-9_\\-+.]*([;, ]+[a-z0-9_][a-z0-9_\\-+.]*)*")),
            Map.entry("pve-ipv4-config", Pattern.compile(
                    "dhcp|manual|((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)/([89]|[12]\\d|3[0-2])")),
            Map.entry("ipv4", Pattern.compile("((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)")),
            Map.entry("disk-size", Pattern.compile("\\d+(\\.\\d+)?[KMGT]?")),
            Map.entry("mac-addr", Pattern.compile("(?i)[a-f0-9][02468ace](:[a-f0-9]{2}){5}")),
            Map.entry("pve-volume-id", Pattern.compile("[a-z][a-z0-9\\-_.]*[a-z0-9]:.+")),
            Map.entry("pve-poolid", Pattern.compile("[A-Za-z0-9_\\-]+")),
            Map.entry("pve-lxc-mp-string", Pattern.compile("[^,;=]+")),
            Map.entry("pve-realm", Pattern.compile("[A-Za-z][A-Za-z0-9.\\-_]+")));

    private final Map<String, Map<String, JsonNode>> paths; // template -> method -> info

    private ApiSchema(Map<String, Map<String, JsonNode>> paths) {
        this.paths = paths;
    }

    /** Loads the trimmed schema from the test resources. */
    public static ApiSchema load() {
        try (InputStream in = ApiSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("schema resource " + RESOURCE + " missing");
            }
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, Map<String, JsonNode>> paths = new LinkedHashMap<>();
            root.fields().forEachRemaining(p -> {
                Map<String, JsonNode> methods = new LinkedHashMap<>();
                p.getValue().fields().forEachRemaining(m -> methods.put(m.getKey(), m.getValue()));
                paths.put(p.getKey(), methods);
            });
            return new ApiSchema(paths);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A request matched to a schema path: the template ("/nodes/{node}/lxc") and the URI parameters. */
    public record Route(String template, String method, Map<String, String> uriParams, JsonNode info) { }

    /** The schema route of a decoded path ("/nodes/pve1/lxc/100/config"), if the path+method exists. */
    public Optional<Route> route(String method, List<String> segments) {
        for (Map.Entry<String, Map<String, JsonNode>> e : paths.entrySet()) {
            String[] tpl = e.getKey().substring(1).split("/");
            if (tpl.length != segments.size()) {
                continue;
            }
            Map<String, String> uri = new LinkedHashMap<>();
            boolean ok = true;
            for (int i = 0; i < tpl.length && ok; i++) {
                if (tpl[i].startsWith("{")) {
                    uri.put(tpl[i].substring(1, tpl[i].length() - 1), segments.get(i));
                } else {
                    ok = tpl[i].equals(segments.get(i));
                }
            }
            if (ok && e.getValue().containsKey(method)) {
                return Optional.of(new Route(e.getKey(), method, uri, e.getValue().get(method)));
            }
        }
        return Optional.empty();
    }

    /** True when some method exists at the path (so a wrong method is "not implemented", like Proxmox). */
    public boolean knowsPath(List<String> segments) {
        return paths.keySet().stream().anyMatch(t -> t.substring(1).split("/").length == segments.size()
                && matches(t.substring(1).split("/"), segments));
    }

    private static boolean matches(String[] tpl, List<String> segments) {
        for (int i = 0; i < tpl.length; i++) {
            if (!tpl[i].startsWith("{") && !tpl[i].equals(segments.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Validates all parameters (URI parameters included) against the route's schema.
     *
     * @return parameter name → Proxmox error text; empty when valid
     */
    public Map<String, String> validate(Route route, Map<String, String> params) {
        Map<String, String> errors = new TreeMap<>();
        JsonNode parameters = route.info().path("parameters");
        JsonNode props = parameters.path("properties");
        boolean additional = parameters.path("additionalProperties").asInt(0) == 1;
        for (Map.Entry<String, String> p : params.entrySet()) {
            JsonNode schema = property(props, p.getKey());
            if (schema == null) {
                if (!additional) {
                    errors.put(p.getKey(), "property is not defined in schema and the schema does not allow additional properties");
                }
                continue;
            }
            check(schema, p.getValue()).ifPresent(msg -> errors.put(p.getKey(), msg));
            if (schema.has("requires") && !params.containsKey(schema.get("requires").asText())) {
                errors.put(schema.get("requires").asText(), "missing property required by '" + p.getKey() + "'");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().path("optional").asInt(0) != 1 && !e.getKey().contains("[n]") && !params.containsKey(e.getKey())) {
                errors.put(e.getKey(), "property is missing and it is not optional");
            }
        }
        return errors;
    }

    private static JsonNode property(JsonNode props, String name) {
        if (props.has(name)) {
            return props.get(name);
        }
        Matcher m = INDEXED.matcher(name);
        if (m.matches() && props.has(m.group(1) + "[n]")) {
            return props.get(m.group(1) + "[n]");
        }
        return null;
    }

    /** Checks one value against one property schema; empty when valid. */
    static Optional<String> check(JsonNode schema, String value) {
        String type = schema.path("type").asText("string");
        switch (type) {
            case "integer" -> {
                if (!value.matches("[+-]?\\d+")) {
                    return Optional.of("type check ('integer') failed - got '" + value + "'");
                }
                return range(schema, Double.parseDouble(value));
            }
            case "number" -> {
                if (!value.matches("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?")) {
                    return Optional.of("type check ('number') failed - got '" + value + "'");
                }
                return range(schema, Double.parseDouble(value));
            }
            case "boolean" -> {
                if (!value.equals("0") && !value.equals("1")) {
                    return Optional.of("type check ('boolean') failed - got '" + value + "'");
                }
                return Optional.empty();
            }
            case "array" -> {
                return Optional.empty(); // none of the used parameters are arrays in form encoding
            }
            default -> {
                return string(schema, value);
            }
        }
    }

    private static Optional<String> range(JsonNode schema, double v) {
        if (schema.has("minimum") && v < schema.get("minimum").asDouble()) {
            return Optional.of("value must have a minimum value of " + schema.get("minimum").asText());
        }
        if (schema.has("maximum") && v > schema.get("maximum").asDouble()) {
            return Optional.of("value must have a maximum value of " + schema.get("maximum").asText());
        }
        if (schema.has("enum")) {
            return string(schema, stripZero(v));
        }
        return Optional.empty();
    }

    private static String stripZero(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static Optional<String> string(JsonNode schema, String value) {
        if (schema.has("maxLength") && value.length() > schema.get("maxLength").asInt()) {
            return Optional.of("value may only be " + schema.get("maxLength").asInt() + " characters long");
        }
        if (schema.has("minLength") && value.length() < schema.get("minLength").asInt()) {
            return Optional.of("value must be at least " + schema.get("minLength").asInt() + " characters long");
        }
        if (schema.has("enum")) {
            List<String> allowed = new ArrayList<>();
            schema.get("enum").forEach(n -> allowed.add(n.asText()));
            if (!allowed.contains(value)) {
                return Optional.of("value '" + value + "' does not have a value in the enumeration '"
                        + String.join(", ", allowed) + "'");
            }
        }
        if (schema.has("pattern")) {
            String regex = schema.get("pattern").asText().replace("(?^:", "(?:");
            try {
                if (!Pattern.compile(regex).matcher(value).matches()) {
                    return Optional.of("value does not match the regex pattern");
                }
            } catch (PatternSyntaxException e) {
                // a Perl-only construct: Proxmox would still check it, we cannot; accept rather than reject wrongly
            }
        }
        JsonNode format = schema.get("format");
        if (format != null && format.isObject()) {
            return propertyString(format, value);
        }
        if (format != null && format.isTextual()) {
            Pattern p = FORMATS.get(format.asText());
            if (p != null && !p.matcher(value).matches()) {
                return Optional.of("invalid format - value does not look like a valid " + format.asText());
            }
        }
        return Optional.empty();
    }

    /** Validates {@code key=value,key=value} with an optional default key, as PVE::JSONSchema::parse_property_string. */
    private static Optional<String> propertyString(JsonNode format, String value) {
        String defaultKey = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = format.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().path("default_key").asInt(0) == 1) {
                defaultKey = e.getKey();
            }
        }
        Map<String, String> seen = new LinkedHashMap<>();
        for (String part : value.split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key;
            String v;
            if (eq < 0) {
                if (defaultKey == null) {
                    return Optional.of("invalid format - missing key in comma-separated list property");
                }
                key = defaultKey;
                v = part;
            } else {
                key = part.substring(0, eq);
                v = part.substring(eq + 1);
            }
            JsonNode ks = format.get(key);
            if (ks == null) {
                return Optional.of("invalid format - property " + key + ": property is not defined in schema and the "
                        + "schema does not allow additional properties");
            }
            if (seen.put(key, v) != null) {
                return Optional.of("invalid format - duplicate key in comma-separated list property: " + key);
            }
            Optional<String> err = check(ks, v);
            if (err.isPresent()) {
                return Optional.of("invalid format - " + key + ": " + err.get());
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = format.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().path("optional").asInt(0) != 1 && !seen.containsKey(e.getKey())) {
                return Optional.of("invalid format - " + e.getKey() + ": property is missing and it is not optional");
            }
        }
        return Optional.empty();
    }
}
