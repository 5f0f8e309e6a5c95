package dev.berth.examples.server.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.berth.examples.server.FieldPath;
import dev.berth.spi.error.InvalidSpecException;
import io.javalin.http.Context;

import java.util.Locale;

/**
 * The API's JSON: ISO-8601 times and durations out; strict reading in (unknown fields, duplicate keys, trailing
 * tokens, nulls for numbers and wrong types are errors naming the field). Every body goes through
 * {@link #read(Context, Class)}.
 */
public final class Json {

    /** The one mapper, shared with Javalin for responses. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {
    }

    /**
     * Reads the body as {@code type}.
     *
     * @throws ApiProblem 415 for another content type, 400 for malformed JSON, 422 naming the field for an unknown
     *                    field or a value of the wrong type
     */
    public static <T> T read(Context ctx, Class<T> type) {
        String contentType = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!contentType.startsWith("application/json")) {
            throw new ApiProblem(415, "unsupported-media-type", "the body must be application/json", "Content-Type", null);
        }
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0) throw ApiProblem.badRequest("body", "a JSON object is required");
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) throw ApiProblem.badRequest("body", "a JSON object is required");
            return value;
        } catch (JsonParseException e) {
            throw ApiProblem.badRequest("body", "malformed JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr());
        } catch (UnrecognizedPropertyException e) {
            throw ApiProblem.invalid(path(e, e.getPropertyName()), "unknown field");
        } catch (JsonMappingException e) {
            InvalidSpecException spec = specCause(e);
            if (spec != null) {
                throw new InvalidSpecException(FieldPath.join(path(e, null), spec.field()),
                        spec.getMessage().substring(spec.field().length() + 2));
            }
            String field = path(e, null);
            if (e instanceof MismatchedInputException m && m.getTargetType() != null && m.getTargetType().isPrimitive()
                    && !field.isEmpty() && String.valueOf(e.getOriginalMessage()).startsWith("Cannot map `null`")) {
                throw ApiProblem.invalid(field, "is required (" + describe(m.getTargetType()) + ")");
            }
            if (e instanceof MismatchedInputException m && m.getTargetType() != null && !field.isEmpty()) {
                throw ApiProblem.invalid(field, "has the wrong type, expected " + describe(m.getTargetType()));
            }
            if (field.isEmpty()) throw ApiProblem.badRequest("body", "must be a JSON object");
            throw ApiProblem.invalid(field, "invalid value");
        } catch (JacksonException e) {
            throw ApiProblem.badRequest("body", "malformed JSON");
        } catch (java.io.IOException e) {
            throw ApiProblem.badRequest("body", "cannot be read");
        }
    }

    private static String describe(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants());
        }
        return switch (type.getSimpleName()) {
            case "Duration" -> "an ISO-8601 duration such as PT6H";
            case "long", "Long", "int", "Integer" -> "a whole number";
            case "double", "Double" -> "a number";
            case "boolean", "Boolean" -> "true or false";
            case "String" -> "a string";
            case "Map" -> "an object";
            case "List", "Set" -> "a list";
            default -> "an object";
        };
    }

    private static InvalidSpecException specCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidSpecException s) return s;
        }
        return null;
    }

    /** Jackson's reference path as a.b[2].c, ending in {@code last} when given. */
    private static String path(JsonMappingException e, String last) {
        StringBuilder b = new StringBuilder();
        var refs = e.getPath();
        for (int i = 0; i < refs.size(); i++) {
            var ref = refs.get(i);
            if (ref.getFieldName() != null) {
                if (b.length() > 0) b.append('.');
                b.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                b.append('[').append(ref.getIndex()).append(']');
            }
        }
        if (last != null && !b.toString().endsWith(last)) {
            if (b.length() > 0) b.append('.');
            b.append(last);
        }
        return b.toString();
    }
}
