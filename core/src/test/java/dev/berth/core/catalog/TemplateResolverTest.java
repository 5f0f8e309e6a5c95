package dev.berth.core.catalog;

import dev.berth.spi.SecretValue;
import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemplateResolverTest {

    private final TemplateResolver resolver = new TemplateResolver();
    private final AppTemplate demo = Catalog.parseYaml(CatalogValidationTest.VALID).get("demo");
    private final Map<String, SecretValue> secrets = Map.of("KEY", SecretValue.of("s3cr3t-value-0123456789"));

    @Test
    void substitutes_the_requested_version() {
        assertThat(resolver.resolve(demo, "1.2.4", BuiltinCatalogTest.context(), secrets).get(0).image())
                .isEqualTo("example/demo:1.2.4");
    }

    @Test
    void rejects_latest_unsupported_and_missing_versions() {
        assertField(() -> resolver.resolve(demo, "latest", BuiltinCatalogTest.context(), secrets), "version");
        assertField(() -> resolver.resolve(demo, "9.9.9", BuiltinCatalogTest.context(), secrets), "version");
        assertField(() -> resolver.resolve(demo, " ", BuiltinCatalogTest.context(), secrets), "version");
        assertField(() -> resolver.resolve(demo, null, BuiltinCatalogTest.context(), secrets), "version");
    }

    @Test
    void missing_secret_is_named_and_no_secret_value_leaks() {
        AppTemplate ghost = Catalog.builtin().get("ghost");
        Map<String, SecretValue> partial = new HashMap<>(BuiltinCatalogTest.generate(ghost));
        partial.remove("DB_ROOT_PASSWORD");
        SecretValue kept = partial.get("DB_PASSWORD");

        assertThatThrownBy(() -> resolver.resolve(ghost, ghost.defaultVersion(), BuiltinCatalogTest.context(), partial))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("secrets.DB_ROOT_PASSWORD");
                    assertThat(e.getMessage()).doesNotContain(kept.reveal());
                });
    }

    @Test
    void rejects_a_hostname_with_scheme_or_injection() {
        assertField(() -> resolver.resolve(demo, "1.2.3",
                new InstanceContext("i", "t", "acme", "https://acme.example.com", null), secrets), "context.hostname");
        assertField(() -> resolver.resolve(demo, "1.2.3",
                new InstanceContext("i", "t", "acme", "acme.example.com'); evil('", null), secrets), "context.hostname");
        assertField(() -> resolver.resolve(demo, "1.2.3",
                new InstanceContext("i", "t", "acme", "acme.example.com", "Mars/Olympus"), secrets), "context.timezone");
    }

    @Test
    void timezone_defaults_to_utc() {
        var spec = resolver.resolve(demo, "1.2.3", new InstanceContext("i", "t", "acme", "acme.example.com", null),
                secrets).get(0);
        assertThat(spec.env()).containsEntry("PUBLIC_HOST", "acme.example.com");
        assertThat(spec.secretEnv().get("APP_KEY").reveal()).isEqualTo("s3cr3t-value-0123456789");
        assertThat(spec.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void templates_built_in_code_are_validated_too() {
        AppComponent noHttp = new AppComponent("app", "x/y:1.0.0", null, null, null, null,
                new ProbeSpec(null, 80, null), false);
        AppTemplate bad = new AppTemplate("bad", "Bad", null, "1.0.0", java.util.List.of("1.0.0"), null,
                java.util.List.of(noHttp), null, new Licence("MIT", null, false), null);
        assertField(() -> resolver.resolve(bad, "1.0.0", BuiltinCatalogTest.context(), Map.of()), "apps[bad].components");
    }

    private static void assertField(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidSpecException.class,
                e -> assertThat(e.field()).isEqualTo(field));
    }
}
