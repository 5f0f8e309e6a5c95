package dev.berth.examples.server.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.berth.examples.server.api.Routes;
import dev.berth.examples.server.http.Json;
import io.javalin.config.RoutesConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves the OpenAPI 3.1 document (written by hand in {@code openapi.yaml} next to this class, as JSON at
 * {@code /openapi.json}). A test compares its paths and methods with the routes the server registers.
 */
public final class OpenApiRoutes implements Routes {

    /** Classpath location of the document. */
    public static final String RESOURCE = "dev/berth/examples/server/openapi.yaml";

    private final byte[] json;

    public OpenApiRoutes() {
        try {
            this.json = Json.MAPPER.writeValueAsBytes(document());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document as a tree. */
    public static JsonNode document() {
        try (InputStream in = OpenApiRoutes.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing " + RESOURCE);
            return new YAMLMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    @Override
    public void register(RoutesConfig r) {
        r.get("/openapi.json", ctx -> ctx.contentType("application/json").result(json));
    }
}
