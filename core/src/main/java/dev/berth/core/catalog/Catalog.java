package dev.berth.core.catalog;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * An immutable, validated set of {@link AppTemplate}s. Berth ships a built-in catalog ({@link #builtin()});
 * operators add or replace entries with their own YAML or JSON file ({@link #load(Path)},
 * {@link #merge(Catalog)}).
 *
 * <p>File format: a root object with one field, {@code apps}, a list of templates whose fields are those of
 * {@link AppTemplate}. Unknown fields are rejected rather than ignored, because a misspelt key (say
 * {@code readyness}) would otherwise silently drop a setting. Every error is an {@link InvalidSpecException}
 * whose field is a path like {@code apps[n8n].components[app].env.N8N_HOST}.
 */
public final class Catalog {

    /** Classpath location of the built-in catalog. */
    public static final String BUILTIN_RESOURCE = "dev/berth/core/catalog/builtin-catalog.yaml";

    /** Configuration key under which operators list the app ids whose licence they acknowledge. */
    public static final String LICENCE_ACKNOWLEDGEMENTS_KEY = "berth.licenceAcknowledgements";

    private static final ObjectMapper YAML = configure(YAMLMapper.builder());
    private static final ObjectMapper JSON = configure(JsonMapper.builder());

    /** Root of a catalog file. */
    private record CatalogDocument(List<AppTemplate> apps) { }

    private final Map<String, AppTemplate> apps; // insertion order: built-ins first, in file order

    private Catalog(Map<String, AppTemplate> apps) {
        this.apps = apps;
    }

    /**
     * A catalog of the given templates, validated.
     *
     * @throws InvalidSpecException for the first invalid template or a duplicate id
     */
    public static Catalog of(List<AppTemplate> templates) {
        Map<String, AppTemplate> byId = new LinkedHashMap<>();
        for (int i = 0; i < templates.size(); i++) {
            AppTemplate app = templates.get(i);
            if (app == null) {
                throw new InvalidSpecException("apps[" + i + "]", "is empty");
            }
            TemplateValidator.validate(app);
            if (byId.putIfAbsent(app.id(), app) != null) {
                throw new InvalidSpecException(TemplateValidator.prefix(app) + ".id", "duplicate app id");
            }
        }
        return new Catalog(Collections.unmodifiableMap(byId));
    }

    /** The catalog shipped with Berth (n8n, Ghost, WordPress, Odoo), loaded from {@link #BUILTIN_RESOURCE}. */
    public static Catalog builtin() {
        // cached because it is immutable; not a static initialiser, so a broken resource reports its real
        // error on every call instead of a NoClassDefFoundError after the first
        Catalog catalog = builtin;
        if (catalog == null) {
            catalog = loadBuiltin();
            builtin = catalog; // a race loads it twice, harmlessly
        }
        return catalog;
    }

    private static volatile Catalog builtin;

    private static Catalog loadBuiltin() {
        try (InputStream in = Catalog.class.getClassLoader().getResourceAsStream(BUILTIN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("built-in catalog missing from classpath: " + BUILTIN_RESOURCE);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), YAML, BUILTIN_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read built-in catalog", e);
        }
    }

    /**
     * Loads an operator catalog file: YAML for {@code .yaml}/{@code .yml}, JSON for {@code .json}.
     *
     * @throws InvalidSpecException for an unsupported extension, an unreadable or malformed file, an unknown
     *                              field or an invalid template
     * @throws NotFoundException    when the file does not exist
     */
    public static Catalog load(Path path) {
        String fileName = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper;
        if (fileName.endsWith(".yaml") || fileName.endsWith(".yml")) {
            mapper = YAML;
        } else if (fileName.endsWith(".json")) {
            mapper = JSON;
        } else {
            throw new InvalidSpecException("catalog", "file " + path + " must end in .yaml, .yml or .json");
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NotFoundException("catalog file", path.toString());
        } catch (IOException e) {
            throw new InvalidSpecException("catalog", "cannot read " + path + ": " + e.getMessage());
        }
        return parse(text, mapper, path.toString());
    }

    /** Parses YAML text (JSON is YAML too); for tests and for operators who keep their catalog elsewhere. */
    public static Catalog parseYaml(String yaml) {
        return parse(yaml, YAML, "<text>");
    }

    private static Catalog parse(String text, ObjectMapper mapper, String source) {
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JacksonException e) {
            throw new InvalidSpecException("catalog", "malformed " + source + at(e.getLocation()) + ": "
                    + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new Catalog(Map.of()); // an empty operator file is a valid "no overrides"
        }
        if (!root.isObject()) {
            throw new InvalidSpecException("catalog", source + " must be an object with an 'apps' list");
        }
        CatalogDocument doc;
        try {
            doc = mapper.treeToValue(root, CatalogDocument.class);
        } catch (JsonMappingException e) {
            throw new InvalidSpecException(fieldPath(e, root), problem(e));
        } catch (JacksonException e) {
            throw new InvalidSpecException("catalog", "malformed " + source + ": " + e.getOriginalMessage());
        }
        return of(doc.apps() == null ? List.of() : doc.apps());
    }

    /**
     * Jackson's path uses list indexes; the tree still has the ids and names, so {@code apps[0].components[1]}
     * becomes {@code apps[n8n].components[app]}, matching the paths the validator reports.
     */
    private static String fieldPath(JsonMappingException e, JsonNode root) {
        StringBuilder path = new StringBuilder();
        JsonNode node = root;
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
                node = node.path(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                JsonNode element = node.path(ref.getIndex());
                String label = element.path("id").isTextual() ? element.path("id").asText()
                        : element.path("name").isTextual() ? element.path("name").asText()
                        : String.valueOf(ref.getIndex());
                path.append('[').append(label).append(']');
                node = element;
            }
        }
        return path.length() == 0 ? "catalog" : path.toString();
    }

    /** A message of our own: Jackson's can quote input values, and ours should read the same for every field. */
    private static String problem(JsonMappingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", ", "; known fields: ", ""));
            return "unknown field '" + u.getPropertyName() + "'" + known;
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            String type = m.getTargetType().getSimpleName();
            String hint = "Duration".equals(type) ? " (ISO-8601 such as PT2M)" : "";
            return "has the wrong type or format, expected " + type + hint;
        }
        return "invalid value";
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static ObjectMapper configure(MapperBuilder<?, ?> builder) {
        return builder
                .addModule(new JavaTimeModule())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                // a key written twice (two N8N_HOST lines) is a mistake whichever value would win
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .build();
    }

    /**
     * This catalog with the operator's entries on top: an entry with the id of an existing one replaces it
     * (in place, keeping the order), new ids are appended.
     */
    public Catalog merge(Catalog operatorOverrides) {
        if (operatorOverrides == null || operatorOverrides.apps.isEmpty()) {
            return this;
        }
        Map<String, AppTemplate> merged = new LinkedHashMap<>(apps);
        merged.putAll(operatorOverrides.apps);
        return new Catalog(Collections.unmodifiableMap(merged));
    }

    /**
     * This catalog with component images replaced, for an operator who serves images from a registry of their
     * own (or builds them locally): each key is an image reference as a template writes it
     * ({@code "docker.n8n.io/n8nio/n8n:{version}"}), its value the reference to use instead
     * ({@code "registry.example.com/n8n:{version}"}). Everything else about the templates stays as it is.
     *
     * @throws InvalidSpecException naming {@code images[KEY]} when a key matches no component image or a value is
     *                              blank
     */
    public Catalog withImages(Map<String, String> images) {
        if (images == null || images.isEmpty()) {
            return this;
        }
        Set<String> unused = new TreeSet<>(images.keySet());
        Map<String, AppTemplate> out = new LinkedHashMap<>();
        for (AppTemplate app : apps.values()) {
            List<AppComponent> components = app.components().stream().map(c -> {
                String replacement = images.get(c.image());
                if (replacement == null) {
                    return c;
                }
                if (replacement.isBlank()) {
                    throw new InvalidSpecException("images[" + c.image() + "]", "must not be blank");
                }
                unused.remove(c.image());
                return new AppComponent(c.name(), replacement, c.lxcTemplate(), c.ports(), c.volumes(), c.env(),
                        c.readiness(), c.http());
            }).toList();
            out.put(app.id(), new AppTemplate(app.id(), app.name(), app.description(), app.defaultVersion(),
                    app.supportedVersions(), app.providerHint(), components, app.secrets(), app.licence(),
                    app.encryptionKeySecret(), app.owner(), app.bootstrap()));
        }
        if (!unused.isEmpty()) {
            throw new InvalidSpecException("images[" + unused.iterator().next() + "]", "is no component image of this catalog");
        }
        return new Catalog(Collections.unmodifiableMap(out));
    }

    /** The template with this id, if any. */
    public Optional<AppTemplate> find(String id) {
        return Optional.ofNullable(id == null ? null : apps.get(id));
    }

    /**
     * The template with this id.
     *
     * @throws NotFoundException ("app", id) when there is none
     */
    public AppTemplate get(String id) {
        return find(id).orElseThrow(() -> new NotFoundException("app", id));
    }

    /** All templates, built-ins first, in file order. */
    public List<AppTemplate> all() {
        return List.copyOf(apps.values());
    }

    /**
     * Licence gate, checked before an app is offered or provisioned. Some licences forbid selling hosted
     * instances without a separate agreement (n8n's Sustainable Use License); an operator must say explicitly
     * that they have one, by listing the app id under {@value #LICENCE_ACKNOWLEDGEMENTS_KEY}.
     *
     * @param appId                 the app to offer
     * @param acknowledgedLicences  app ids whose licence the operator has acknowledged ({@code null} = none)
     * @throws NotFoundException    when the app is not in the catalog
     * @throws InvalidSpecException ("licenceAcknowledgements", …) when the licence needs acknowledgement and
     *                              has none
     */
    public void requireOfferable(String appId, Set<String> acknowledgedLicences) {
        AppTemplate app = get(appId);
        Licence licence = app.licence();
        if (!licence.requiresAcknowledgement()
                || acknowledgedLicences != null && acknowledgedLicences.contains(appId)) {
            return;
        }
        String notes = licence.notes() == null || licence.notes().isBlank() ? "" : " " + licence.notes().strip();
        throw new InvalidSpecException("licenceAcknowledgements",
                label(app) + " is licensed under " + licence.spdx() + ", which restricts offering it"
                        + " as a paid service." + notes + " Berth will not offer " + appId + " until you confirm that"
                        + " your use is permitted (for example under a commercial agreement) by adding it to the"
                        + " configuration key " + LICENCE_ACKNOWLEDGEMENTS_KEY + ": [" + appId + "]");
    }

    private static String label(AppTemplate app) {
        return app.id().equalsIgnoreCase(app.name()) ? app.id() : app.name() + " (" + app.id() + ")";
    }

    @Override
    public String toString() {
        return "Catalog" + apps.keySet();
    }

    /** Ordered list of app ids; handy in logs and error messages. */
    public List<String> ids() {
        return List.copyOf(apps.keySet());
    }
}
