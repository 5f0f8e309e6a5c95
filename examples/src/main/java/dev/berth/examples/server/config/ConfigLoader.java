package dev.berth.examples.server.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.berth.examples.server.FieldPath;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InvalidSpecException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads {@link ServerConfig}: the built-in {@code defaults.yaml}, then the operator's YAML file on top (objects
 * merged key by key, lists and values replaced), then environment variables {@code BERTH_<PATH>} on top of
 * that. Unknown keys are errors naming the key, so a misspelt setting never silently falls back to a default.
 */
public final class ConfigLoader {

    /** Environment variable prefix. */
    public static final String PREFIX = "BERTH";
    private static final String DEFAULTS = "dev/berth/examples/server/defaults.yaml";

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .addModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ConfigLoader() {
    }

    /**
     * Loads the configuration.
     *
     * @param file optional operator file (null for none)
     * @param env  environment variables (System.getenv() in production)
     * @throws InvalidSpecException naming the key (its env variable when it came from one) that is wrong
     */
    public static ServerConfig load(Path file, Map<String, String> env) {
        ObjectNode tree = (ObjectNode) readDefaults();
        if (file != null) {
            JsonNode operator;
            try {
                operator = YAML.readTree(Files.readString(file));
            } catch (JacksonException e) {
                throw new InvalidSpecException("config", "malformed " + file + ": " + e.getOriginalMessage());
            } catch (IOException e) {
                throw new InvalidSpecException("config", "cannot read " + file + ": " + e.getMessage());
            }
            if (operator != null && !operator.isMissingNode() && !operator.isNull()) {
                if (!operator.isObject()) throw new InvalidSpecException("config", file + " must be a YAML mapping");
                merge(tree, (ObjectNode) operator, "");
            }
        }
        applyEnv(tree, PREFIX, "", env);
        try {
            return YAML.treeToValue(tree, ServerConfig.class);
        } catch (JsonMappingException e) {
            BerthException cause = cause(e);
            if (cause instanceof InvalidSpecException spec) {
                throw new InvalidSpecException(FieldPath.join(path(e), spec.field()), spec.getMessage().substring(spec.field().length() + 2));
            }
            String problem = e instanceof UnrecognizedPropertyException u ? "unknown key '" + u.getPropertyName() + "'"
                    : "has the wrong type or format";
            throw new InvalidSpecException(path(e), problem);
        } catch (JacksonException e) {
            throw new InvalidSpecException("config", e.getOriginalMessage());
        }
    }

    /** The environment variable that overrides {@code path} ("http.maxBodyBytes" → BERTH_HTTP_MAX_BODY_BYTES). */
    public static String envName(String path) {
        StringBuilder b = new StringBuilder(PREFIX);
        for (String part : path.split("\\.")) {
            b.append('_').append(part.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
        }
        return b.toString();
    }

    private static JsonNode readDefaults() {
        try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
            if (in == null) throw new IllegalStateException("missing " + DEFAULTS);
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DEFAULTS, e);
        }
    }

    /** Objects merge key by key; anything else in {@code over} replaces what is in {@code base}. */
    private static void merge(ObjectNode base, ObjectNode over, String at) {
        over.fields().forEachRemaining(entry -> {
            JsonNode current = base.get(entry.getKey());
            if (current instanceof ObjectNode currentObject && entry.getValue() instanceof ObjectNode overObject
                    // the operator's providers replace the default ones rather than adding to them
                    && !(at.isEmpty() && "providers".equals(entry.getKey()))) {
                merge(currentObject, overObject, at + entry.getKey() + ".");
            } else {
                base.set(entry.getKey(), entry.getValue());
            }
        });
    }

    /**
     * Every key of the tree can be replaced by its environment variable: scalars take the text as is (Jackson
     * converts "8080" to a number), lists and maps take JSON.
     */
    private static void applyEnv(ObjectNode node, String prefix, String at, Map<String, String> env) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        for (String key : keys) {
            String path = at + key;
            String name = envName(path);
            JsonNode current = node.get(key);
            String value = env.get(name);
            if (value != null) {
                boolean json = current instanceof ObjectNode || current instanceof ArrayNode
                        || (current == null || current.isNull()) && (value.startsWith("{") || value.startsWith("["));
                if (json) {
                    try {
                        node.set(key, YAML.readTree(value));
                    } catch (JacksonException e) {
                        throw new InvalidSpecException(name, "must be JSON (" + e.getOriginalMessage() + ")");
                    }
                } else {
                    node.set(key, value.isEmpty() && !(current instanceof TextNode) ? NullNode.instance : TextNode.valueOf(value));
                }
            } else if (current instanceof ObjectNode object && !"providers".equals(path)) {
                applyEnv(object, prefix, path + ".", env);
            }
        }
    }

    private static BerthException cause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BerthException b) return b;
        }
        return null;
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (b.length() > 0) b.append('.');
                b.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                b.append('[').append(ref.getIndex()).append(']');
            }
        }
        return b.length() == 0 ? "config" : b.toString();
    }
}
