package dev.berth.core.catalog;

import dev.berth.spi.ComponentSpec;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.InvalidSpecException;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns an {@link AppTemplate} into the {@link ComponentSpec}s a runtime provider starts for one instance.
 *
 * <p>Env values are templates. Placeholders:
 * <ul>
 *   <li>{@code ${host}}: the public host name, without scheme ("acme.apps.example.com")</li>
 *   <li>{@code ${url}}: "https://" + host name (Berth always serves instances over TLS)</li>
 *   <li>{@code ${slug}}, {@code ${instanceId}}, {@code ${tenantId}}, {@code ${timezone}}</li>
 *   <li>{@code ${secret.NAME}}: a secret declared by the template</li>
 *   <li>{@code ${component.NAME.host}}: the network host name of another component of the same instance,
 *       which is the component name itself</li>
 * </ul>
 * {@code $${} writes a literal {@code ${}. An env var whose value uses any secret is rendered into
 * {@link ComponentSpec#secretEnv()} as a {@link SecretValue}, so the rendered value never shows up in a
 * {@code toString}; all others go to {@link ComponentSpec#env()}.
 *
 * <p>Stateless and thread-safe.
 */
public final class TemplateResolver {

    private static final Pattern HOSTNAME =
            Pattern.compile("(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern SLUG = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /**
     * Context values are pasted verbatim into env values, some of which end up inside config files or PHP
     * ({@code WORDPRESS_CONFIG_EXTRA}); restricting them to inert characters rules out injection.
     */
    private static final Pattern TIMEZONE = Pattern.compile("[A-Za-z0-9_/+:-]{1,64}");
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._@:+-]{1,128}");
    /** An e-mail address without quotes, blanks or anything that could leave a string in a config file. */
    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\\.[A-Za-z]{2,24}");
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N} .-]{1,64}");

    /**
     * Resolves a template for one instance.
     *
     * @param app     the template; validated again here because callers may build templates in code
     * @param version the app version to run; must be one of {@link AppTemplate#supportedVersions()}
     * @param ctx     per-instance values
     * @param secrets the instance's stored secrets by name; must hold every secret the template declares
     *                (extra entries are ignored, so a template that drops a secret keeps working)
     * @return one spec per component, in template order
     * @throws InvalidSpecException naming the field: {@code version}, {@code context.*}, {@code secrets.NAME} or a
     *                              template path. Messages never contain secret values.
     */
    public List<ComponentSpec> resolve(AppTemplate app, String version, InstanceContext ctx,
                                       Map<String, SecretValue> secrets) {
        if (app == null) {
            throw new InvalidSpecException("app", "is required");
        }
        TemplateValidator.validate(app);
        TemplateValidator.requirePinnedVersion(version, "version");
        if (!app.supportedVersions().contains(version)) {
            throw new InvalidSpecException("version", "'" + version + "' is not a supported version of "
                    + app.id() + "; supported: " + app.supportedVersions());
        }
        validateContext(ctx);
        Map<String, SecretValue> given = secrets == null ? Map.of() : secrets;
        for (SecretSpec spec : app.secrets()) {
            SecretValue value = given.get(spec.name());
            if (value == null) {
                throw new InvalidSpecException("secrets." + spec.name(), "is missing; secrets are generated "
                        + "once at provision and must be passed on every resolve");
            }
            if (value.length() == 0) {
                throw new InvalidSpecException("secrets." + spec.name(), "is empty");
            }
        }

        List<ComponentSpec> specs = new ArrayList<>(app.components().size());
        for (AppComponent c : app.components()) {
            Map<String, String> env = new LinkedHashMap<>();
            Map<String, SecretValue> secretEnv = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : c.env().entrySet()) {
                EnvTemplate template = EnvTemplate.parse(e.getValue());
                String rendered = render(template, ctx, given);
                if (template.referencesSecret()) {
                    secretEnv.put(e.getKey(), SecretValue.of(rendered));
                } else {
                    env.put(e.getKey(), rendered);
                }
            }
            List<ComponentSpec.Port> ports = c.ports().stream()
                    .map(p -> new ComponentSpec.Port(p.name(), p.port())).toList();
            List<ComponentSpec.Volume> volumes = c.volumes().stream()
                    .map(v -> new ComponentSpec.Volume(v.name(), v.path())).toList();
            ProbeSpec r = c.readiness();
            specs.add(new ComponentSpec(c.name(), withVersion(c.image(), version), withVersion(c.lxcTemplate(), version),
                    ports, volumes, env, secretEnv, new ComponentSpec.Readiness(r.path(), r.port(), r.timeout()),
                    c.http()));
        }
        return List.copyOf(specs);
    }

    private static String withVersion(String reference, String version) {
        return reference == null ? null : reference.replace("{version}", version);
    }

    private static String render(EnvTemplate template, InstanceContext ctx, Map<String, SecretValue> secrets) {
        StringBuilder out = new StringBuilder();
        for (EnvTemplate.Part part : template.parts()) {
            if (part.kind() == null) {
                out.append(part.literal());
                continue;
            }
            out.append(switch (part.kind()) {
                case HOST -> ctx.hostname();
                case URL -> "https://" + ctx.hostname();
                case SLUG -> ctx.slug();
                case INSTANCE_ID -> ctx.instanceId();
                case TENANT_ID -> ctx.tenantId();
                case TIMEZONE -> ctx.timezone();
                case SECRET -> secrets.get(part.argument()).reveal();
                // components share a private network per instance on which each is reachable by its name
                case COMPONENT_HOST -> part.argument();
                case OWNER_EMAIL -> owner(ctx).email();
                case OWNER_FIRST_NAME -> owner(ctx).firstName();
                case OWNER_LAST_NAME -> owner(ctx).lastName();
            });
        }
        return out.toString();
    }

    /**
     * The template's bootstrap actions for one instance, rendered: argv and stdin filled in, secrets only in
     * stdin. Actions run in template order.
     *
     * @param afterRestoreOnly true for the actions to repeat after a restore only
     * @throws InvalidSpecException as {@link #resolve}; messages never contain secret values
     */
    public List<Bootstrap> bootstrap(AppTemplate app, InstanceContext ctx, Map<String, SecretValue> secrets,
                                     boolean afterRestoreOnly) {
        TemplateValidator.validate(app);
        validateContext(ctx);
        Map<String, SecretValue> given = secrets == null ? Map.of() : secrets;
        List<Bootstrap> out = new ArrayList<>();
        for (BootstrapAction a : app.bootstrap()) {
            if (afterRestoreOnly && !a.afterRestore()) {
                continue;
            }
            List<String> argv = a.command().stream().map(arg -> render(EnvTemplate.parse(arg), ctx, given)).toList();
            SecretValue stdin = a.stdin() == null ? null : SecretValue.of(render(EnvTemplate.parse(a.stdin()), ctx, given));
            out.add(new Bootstrap(a.name(), a.component(), argv, stdin));
        }
        return List.copyOf(out);
    }

    /** The login name the customer gets for the owner account, rendered; empty when the template has no owner. */
    public Optional<String> ownerLogin(AppTemplate app, InstanceContext ctx) {
        if (app.owner() == null || app.owner().login() == null) {
            return Optional.empty();
        }
        validateContext(ctx);
        return Optional.of(render(EnvTemplate.parse(app.owner().login()), ctx, Map.of()));
    }

    /**
     * One rendered bootstrap action.
     *
     * @param name      the action's name
     * @param component the component to run it in
     * @param argv      program and arguments (never a secret)
     * @param stdin     input, possibly with secrets; null for none
     */
    public record Bootstrap(String name, String component, List<String> argv, SecretValue stdin) { }

    private static InstanceContext.Owner owner(InstanceContext ctx) {
        // checked only where a template uses it: an unusual address must not stop apps that never read it
        if (ctx.owner() == null) {
            throw new InvalidSpecException("context.owner", "is required: the template uses ${owner.*}");
        }
        require(ctx.owner().email(), EMAIL, "context.owner.email", "an e-mail address without quotes or blanks");
        require(ctx.owner().firstName(), NAME, "context.owner.firstName", "1-64 letters, digits, blanks, dots or dashes");
        require(ctx.owner().lastName(), NAME, "context.owner.lastName", "1-64 letters, digits, blanks, dots or dashes");
        return ctx.owner();
    }

    private static void validateContext(InstanceContext ctx) {
        if (ctx == null) {
            throw new InvalidSpecException("context", "is required");
        }
        require(ctx.instanceId(), SAFE_ID, "context.instanceId", "1-128 letters, digits or ._@:+-");
        require(ctx.tenantId(), SAFE_ID, "context.tenantId", "1-128 letters, digits or ._@:+-");
        require(ctx.slug(), SLUG, "context.slug", "a DNS label (lower-case letters, digits, dashes)");
        require(ctx.hostname(), HOSTNAME, "context.hostname",
                "a lower-case host name without scheme, port or path (\"acme.apps.example.com\")");
        // the character check comes first so that the message below never echoes unexpected input
        require(ctx.timezone(), TIMEZONE, "context.timezone", "an IANA time zone id (\"Europe/Berlin\")");

        try {
            ZoneId.of(ctx.timezone());
        } catch (DateTimeException e) {
            throw new InvalidSpecException("context.timezone", "'" + ctx.timezone() + "' is not a time zone id");
        }
    }

    private static void require(String value, Pattern pattern, String field, String expected) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new InvalidSpecException(field, "must be " + expected);
        }
    }
}
