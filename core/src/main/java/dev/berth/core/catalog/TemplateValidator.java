package dev.berth.core.catalog;

import dev.berth.spi.error.InvalidSpecException;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a whole {@link AppTemplate} and reports the first problem as an {@link InvalidSpecException} whose
 * field is a path such as {@code apps[n8n].components[app].env.N8N_HOST}. Validation lives here rather than in
 * the records' constructors because a nested record cannot know the path it sits at, and because Jackson would
 * wrap constructor exceptions and lose the field.
 */
final class TemplateValidator {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** Component names double as host names on the instance network, so they must be DNS labels. */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Characters Docker allows in a tag. */
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    /**
     * Tags that registries move to new releases. An instance on one of them would be upgraded by any re-pull,
     * skipping the backup that must come before forward-only migrations.
     */
    static final Set<String> FLOATING_TAGS = Set.of("latest", "stable", "edge", "nightly", "next", "beta",
            "main", "master", "dev");

    static final int MIN_SECRET_LENGTH = 16;
    static final int MAX_SECRET_LENGTH = 1024;

    private TemplateValidator() {
    }

    /** Path prefix of a template in error messages. */
    static String prefix(AppTemplate app) {
        return "apps[" + app.id() + "]";
    }

    static void validate(AppTemplate app) {
        if (app.id() == null || !ID.matcher(app.id()).matches()) {
            throw new InvalidSpecException(prefix(app) + ".id", "must be 1-63 lower-case letters, digits or dashes");
        }
        String p = prefix(app);
        requireText(app.name(), p + ".name");
        validateVersions(app, p);
        if (app.providerHint() != null && !ID.matcher(app.providerHint()).matches()) {
            throw new InvalidSpecException(p + ".providerHint", "must be a provider id (lower-case letters, digits, dashes)");
        }
        Set<String> secretNames = validateSecrets(app.secrets(), p);
        validateComponents(app, p, secretNames);
        validateLicence(app.licence(), p + ".licence");
        BootstrapValidator.validate(app, p, secretNames);
        if (app.encryptionKeySecret() != null && !secretNames.contains(app.encryptionKeySecret())) {
            throw new InvalidSpecException(p + ".encryptionKeySecret",
                    "names secret '" + app.encryptionKeySecret() + "', which is not declared under secrets");
        }
        if (app.encryptionKeySecret() != null && app.secret(app.encryptionKeySecret()).map(SecretSpec::credential).orElse(false)) {
            // the key that encrypts the app's data is never mailed to anyone
            throw new InvalidSpecException(p + ".secrets[" + app.encryptionKeySecret() + "].credential",
                    "the encryption key secret cannot be a customer credential");
        }
    }

    /** Rejects a version that is empty, floating or malformed; {@code field} names where it came from. */
    static void requirePinnedVersion(String version, String field) {
        if (version == null || version.isBlank()) {
            throw new InvalidSpecException(field, "must be a pinned version, not empty");
        }
        if (FLOATING_TAGS.contains(version.toLowerCase(Locale.ROOT))) {
            throw new InvalidSpecException(field, "'" + version + "' is a floating tag; pin an exact version");
        }
        if (!VERSION.matcher(version).matches()) {
            throw new InvalidSpecException(field, "'" + version + "' is not a valid image tag");
        }
    }

    private static void validateVersions(AppTemplate app, String p) {
        if (app.supportedVersions().isEmpty()) {
            throw new InvalidSpecException(p + ".supportedVersions", "must list at least one pinned version");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < app.supportedVersions().size(); i++) {
            String v = app.supportedVersions().get(i);
            requirePinnedVersion(v, p + ".supportedVersions[" + i + "]");
            if (!seen.add(v)) {
                throw new InvalidSpecException(p + ".supportedVersions[" + i + "]", "duplicate version '" + v + "'");
            }
        }
        requirePinnedVersion(app.defaultVersion(), p + ".defaultVersion");
        if (!seen.contains(app.defaultVersion())) {
            throw new InvalidSpecException(p + ".defaultVersion",
                    "'" + app.defaultVersion() + "' is not one of supportedVersions " + app.supportedVersions());
        }
    }

    private static Set<String> validateSecrets(List<SecretSpec> secrets, String p) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < secrets.size(); i++) {
            SecretSpec s = secrets.get(i);
            if (s == null || s.name() == null || !SECRET_NAME.matcher(s.name()).matches()) {
                throw new InvalidSpecException(p + ".secrets[" + i + "].name",
                        "must be 1-64 letters, digits or underscores");
            }
            String sp = p + ".secrets[" + s.name() + "]";
            if (!names.add(s.name())) {
                throw new InvalidSpecException(sp, "duplicate secret name");
            }
            if (s.derived()) {
                continue; // checked once every name is known
            }
            if (s.length() < MIN_SECRET_LENGTH || s.length() > MAX_SECRET_LENGTH) {
                throw new InvalidSpecException(sp + ".length",
                        "must be between " + MIN_SECRET_LENGTH + " and " + MAX_SECRET_LENGTH);
            }
            if (s.alphabet() == null) {
                throw new InvalidSpecException(sp + ".alphabet", "is required (ALPHANUMERIC, HEX or BASE64URL)");
            }
        }
        for (SecretSpec s : secrets) {
            if (!s.derived()) {
                continue;
            }
            String dp = p + ".secrets[" + s.name() + "].derivedFrom";
            SecretSpec.Derivation d = s.derivedFrom();
            if (d.function() == null) {
                throw new InvalidSpecException(dp + ".function", "is required (BCRYPT)");
            }
            SecretSpec source = secrets.stream().filter(x -> x.name().equals(d.secret())).findFirst().orElse(null);
            if (source == null || source.derived()) {
                throw new InvalidSpecException(dp + ".secret", "must name a random secret of this template");
            }
            if (s.credential()) {
                throw new InvalidSpecException(p + ".secrets[" + s.name() + "].credential",
                        "a derived secret is a hash, not a login to hand over");
            }
        }
        return names;
    }

    private static void validateComponents(AppTemplate app, String p, Set<String> secretNames) {
        List<AppComponent> components = app.components();
        if (components.isEmpty()) {
            throw new InvalidSpecException(p + ".components", "must have at least one component");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < components.size(); i++) {
            AppComponent c = components.get(i);
            if (c == null || c.name() == null || !DNS_LABEL.matcher(c.name()).matches()) {
                throw new InvalidSpecException(p + ".components[" + i + "].name",
                        "must be a DNS label (lower-case letters, digits, dashes), it is the component's host name");
            }
            if (!names.add(c.name())) {
                throw new InvalidSpecException(p + ".components[" + c.name() + "]", "duplicate component name");
            }
        }
        long http = components.stream().filter(AppComponent::http).count();
        if (http != 1) {
            throw new InvalidSpecException(p + ".components",
                    "exactly one component must have http: true (the one the host name is routed to), found " + http);
        }
        for (AppComponent c : components) {
            validateComponent(c, p + ".components[" + c.name() + "]", secretNames, names);
        }
    }

    private static void validateComponent(AppComponent c, String cp, Set<String> secretNames, Set<String> components) {
        if (c.image() == null && c.lxcTemplate() == null) {
            throw new InvalidSpecException(cp + ".image", "is required (or lxcTemplate for LXC-only components)");
        }
        if (c.image() != null) {
            validateImage(c.image(), cp + ".image");
        }
        if (c.lxcTemplate() != null) {
            requireText(c.lxcTemplate(), cp + ".lxcTemplate");
        }
        Set<Integer> ports = new HashSet<>();
        Set<String> portNames = new HashSet<>();
        for (int i = 0; i < c.ports().size(); i++) {
            PortSpec port = c.ports().get(i);
            if (port == null || port.name() == null || !DNS_LABEL.matcher(port.name()).matches()) {
                throw new InvalidSpecException(cp + ".ports[" + i + "].name", "must be a short lower-case name");
            }
            if (port.port() < 1 || port.port() > 65535) {
                throw new InvalidSpecException(cp + ".ports[" + port.name() + "].port", "must be 1-65535");
            }
            if (!portNames.add(port.name()) || !ports.add(port.port())) {
                throw new InvalidSpecException(cp + ".ports[" + port.name() + "]", "duplicate port name or number");
            }
        }
        if (c.http() && ports.isEmpty()) {
            throw new InvalidSpecException(cp + ".ports", "the http component must declare the port to route to");
        }
        Set<String> volumeNames = new HashSet<>();
        for (int i = 0; i < c.volumes().size(); i++) {
            VolumeSpec v = c.volumes().get(i);
            if (v == null || v.name() == null || !DNS_LABEL.matcher(v.name()).matches()) {
                throw new InvalidSpecException(cp + ".volumes[" + i + "].name", "must be a short lower-case name");
            }
            if (!volumeNames.add(v.name())) {
                throw new InvalidSpecException(cp + ".volumes[" + v.name() + "]", "duplicate volume name");
            }
            if (v.path() == null || !v.path().startsWith("/") || v.path().contains("..")) {
                throw new InvalidSpecException(cp + ".volumes[" + v.name() + "].path",
                        "must be an absolute path without '..'");
            }
        }
        for (Map.Entry<String, String> e : c.env().entrySet()) {
            String ep = cp + ".env." + e.getKey();
            if (!ENV_NAME.matcher(e.getKey()).matches()) {
                throw new InvalidSpecException(ep, "is not a valid environment variable name");
            }
            if (e.getValue() == null) {
                throw new InvalidSpecException(ep, "has no value (use \"\" for an empty value)");
            }
            validateEnvValue(e.getValue(), ep, secretNames, components);
        }
        ProbeSpec r = c.readiness();
        if (r == null) {
            throw new InvalidSpecException(cp + ".readiness", "is required: Berth waits for it before calling an instance ready");
        }
        if (r.path() != null && !r.path().startsWith("/")) {
            throw new InvalidSpecException(cp + ".readiness.path", "must start with '/' (or be omitted for a TCP probe)");
        }
        if (!ports.contains(r.port())) {
            throw new InvalidSpecException(cp + ".readiness.port", "must be one of the component's ports " + ports);
        }
        if (r.timeout().isNegative() || r.timeout().isZero()) {
            throw new InvalidSpecException(cp + ".readiness.timeout", "must be positive");
        }
    }

    private static void validateEnvValue(String value, String field, Set<String> secretNames, Set<String> components) {
        EnvTemplate template;
        try {
            template = EnvTemplate.parse(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(field, e.getMessage());
        }
        for (EnvTemplate.Part part : template.parts()) {
            if (part.kind() == EnvTemplate.Kind.SECRET && !secretNames.contains(part.argument())) {
                throw new InvalidSpecException(field, "references secret '" + part.argument()
                        + "', which is not declared under secrets");
            }
            if (part.kind() == EnvTemplate.Kind.COMPONENT_HOST && !components.contains(part.argument())) {
                throw new InvalidSpecException(field, "references component '" + part.argument()
                        + "', which this app does not have");
            }
        }
    }

    /**
     * An image must name a pinned tag or a digest. {@code {version}} in the tag is allowed: the version it is
     * replaced with is itself checked against supportedVersions.
     */
    private static void validateImage(String image, String field) {
        if (image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidSpecException(field, "must be an image reference without spaces");
        }
        String withoutVersion = image.replace("{version}", "");
        if (withoutVersion.contains("{") || withoutVersion.contains("}")) {
            throw new InvalidSpecException(field, "only the {version} placeholder is allowed in an image");
        }
        if (image.contains("@")) {
            return; // digest reference: immutable by construction
        }
        String lastSegment = image.substring(image.lastIndexOf('/') + 1);
        int colon = lastSegment.indexOf(':');
        if (colon < 0 || colon == lastSegment.length() - 1) {
            throw new InvalidSpecException(field, "must carry a pinned tag ('name:1.2.3') or a digest; "
                    + "an image without a tag means 'latest'");
        }
        String tag = lastSegment.substring(colon + 1);
        if (FLOATING_TAGS.contains(tag.toLowerCase(Locale.ROOT))) {
            throw new InvalidSpecException(field, "tag '" + tag + "' is a floating tag; pin an exact version");
        }
    }

    private static void validateLicence(Licence licence, String field) {
        if (licence == null) {
            throw new InvalidSpecException(field, "is required: operators must know what they may resell");
        }
        requireText(licence.spdx(), field + ".spdx");
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidSpecException(field, "must not be blank");
        }
    }
}
