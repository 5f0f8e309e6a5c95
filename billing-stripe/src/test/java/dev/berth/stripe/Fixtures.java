package dev.berth.stripe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Recorded-shape Stripe JSON (src/test/resources/stripe) with {@code ${name}} placeholders filled per scenario.
 * Every placeholder must be given: a forgotten one fails the test instead of sending half a fixture.
 */
public final class Fixtures {

    private static final Pattern VAR = Pattern.compile("\\$\\{([a-z_]+)}");

    private Fixtures() {
    }

    public static String render(String name, Map<String, String> values) {
        String template = load(name);
        Matcher m = VAR.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            if (v == null) throw new IllegalArgumentException("fixture " + name + " needs a value for ${" + m.group(1) + "}");
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A JSON string literal, or {@code null}. */
    public static String str(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A flat JSON object of strings. */
    public static String object(Map<String, String> m) {
        return m.entrySet().stream().map(e -> str(e.getKey()) + ": " + str(e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String load(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/stripe/" + name)) {
            if (in == null) throw new IllegalArgumentException("no fixture " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
