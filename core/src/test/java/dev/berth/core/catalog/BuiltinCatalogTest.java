package dev.berth.core.catalog;

import dev.berth.spi.ComponentSpec;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BuiltinCatalogTest {

    private final Catalog catalog = Catalog.builtin();

    @Test
    void has_the_four_apps() {
        assertThat(catalog.ids()).containsExactly("n8n", "ghost", "wordpress", "odoo");
    }

    @Test
    void every_image_is_pinned_to_an_exact_tag() {
        for (AppTemplate app : catalog.all()) {
            for (AppComponent c : app.components()) {
                for (String version : app.supportedVersions()) {
                    String image = c.image().replace("{version}", version);
                    String tag = image.substring(image.lastIndexOf(':') + 1);
                    assertThat(image).as(app.id() + "/" + c.name()).doesNotContain("latest").contains(":");
                    assertThat(image.lastIndexOf(':')).as(image).isGreaterThan(image.lastIndexOf('/'));
                    // major.minor at least: "mysql:8" would drift to new minors on a re-pull
                    assertThat(tag).as(image).matches("\\d+\\.\\d+.*");
                }
            }
        }
    }

    @Test
    void every_app_has_one_http_component_with_a_readiness_probe_and_data_volumes() {
        for (AppTemplate app : catalog.all()) {
            assertThat(app.components().stream().filter(AppComponent::http)).as(app.id()).hasSize(1);
            for (AppComponent c : app.components()) {
                assertThat(c.readiness()).as(app.id() + "/" + c.name()).isNotNull();
                assertThat(c.volumes()).as(app.id() + "/" + c.name()).isNotEmpty();
            }
        }
    }

    @Test
    void licences() {
        assertThat(catalog.get("n8n").licence().requiresAcknowledgement()).isTrue();
        assertThat(catalog.get("ghost").licence().spdx()).isEqualTo("MIT");
        assertThat(catalog.get("wordpress").licence().spdx()).isEqualTo("GPL-2.0-or-later");
        assertThat(catalog.get("odoo").licence().spdx()).startsWith("LGPL-3.0");
        assertThat(catalog.all()).filteredOn(a -> a.licence().requiresAcknowledgement())
                .extracting(AppTemplate::id).containsExactly("n8n");
    }

    @Test
    void n8n_declares_its_encryption_key_and_readiness() {
        AppTemplate n8n = catalog.get("n8n");
        assertThat(n8n.encryptionKeySecret()).isEqualTo("N8N_ENCRYPTION_KEY");
        assertThat(n8n.secret("N8N_ENCRYPTION_KEY")).isPresent();
        assertThat(n8n.httpComponent().readiness().path()).isEqualTo("/healthz/readiness");
        assertThat(n8n.httpComponent().readiness().port()).isEqualTo(5678);
        assertThat(n8n.httpComponent().volumes()).extracting(VolumeSpec::path).containsExactly("/home/node/.n8n");
    }

    @Test
    void n8n_resolves_host_without_scheme_and_urls_with_https() {
        AppTemplate n8n = catalog.get("n8n");
        ComponentSpec app = resolve(n8n).get(0);

        assertThat(app.image()).isEqualTo("docker.n8n.io/n8nio/n8n:" + n8n.defaultVersion());
        assertThat(app.env()).containsEntry("N8N_HOST", "acme.apps.example.com")
                .containsEntry("N8N_PROTOCOL", "https")
                .containsEntry("N8N_PORT", "5678")
                .containsEntry("N8N_EDITOR_BASE_URL", "https://acme.apps.example.com")
                .containsEntry("WEBHOOK_URL", "https://acme.apps.example.com")
                .containsEntry("N8N_PROXY_HOPS", "1")
                .containsEntry("GENERIC_TIMEZONE", "Europe/Berlin")
                .doesNotContainKey("N8N_ENCRYPTION_KEY");
        assertThat(app.secretEnv()).containsOnlyKeys("N8N_ENCRYPTION_KEY", "N8N_INSTANCE_OWNER_PASSWORD_HASH");
        assertThat(app.readiness()).isEqualTo(new ComponentSpec.Readiness("/healthz/readiness", 5678,
                n8n.httpComponent().readiness().timeout()));
        assertThat(app.http()).isTrue();
    }

    @Test
    void secret_bearing_env_goes_to_secretEnv_and_never_into_toString() {
        AppTemplate ghost = catalog.get("ghost");
        Map<String, SecretValue> secrets = generate(ghost);
        String password = secrets.get("DB_PASSWORD").reveal();

        List<ComponentSpec> specs = new TemplateResolver().resolve(ghost, ghost.defaultVersion(), context(), secrets);

        ComponentSpec app = specs.get(0);
        ComponentSpec db = specs.get(1);
        assertThat(app.secretEnv().get("database__connection__password").reveal()).isEqualTo(password);
        assertThat(db.secretEnv().get("MYSQL_PASSWORD").reveal()).isEqualTo(password);
        assertThat(app.env()).containsEntry("url", "https://acme.apps.example.com")
                .containsEntry("database__connection__host", "db")
                .doesNotContainValue(password);
        for (ComponentSpec spec : specs) {
            assertThat(spec.toString()).doesNotContain(password)
                    .doesNotContain(secrets.get("DB_ROOT_PASSWORD").reveal());
        }
        assertThat(db.image()).isEqualTo("mysql:8.0.40"); // companions keep their own tag
        assertThat(db.readiness().path()).isNull();       // TCP probe
    }

    @Test
    void secret_embedded_in_a_longer_value_makes_the_whole_value_secret() {
        AppTemplate wordpress = catalog.get("wordpress");
        ComponentSpec app = resolve(wordpress).get(0);
        assertThat(app.env()).containsEntry("WORDPRESS_DB_HOST", "db:3306")
                .containsEntry("WORDPRESS_CONFIG_EXTRA",
                        "define('WP_HOME', 'https://acme.apps.example.com'); "
                                + "define('WP_SITEURL', 'https://acme.apps.example.com');");
        assertThat(app.secretEnv()).containsOnlyKeys("WORDPRESS_DB_PASSWORD");
        assertThat(app.image()).isEqualTo("wordpress:6.7.1-php8.3-apache");
    }

    @Test
    void every_builtin_app_resolves() {
        for (AppTemplate app : catalog.all()) {
            List<ComponentSpec> specs = resolve(app);
            assertThat(specs).hasSameSizeAs(app.components());
            assertThat(specs).allSatisfy(s -> assertThat(s.image()).doesNotContain("{version}"));
        }
    }

    @Test
    void generated_secrets_follow_their_spec() {
        SecretSpec spec = new SecretSpec("K", 64, SecretSpec.Alphabet.HEX);
        SecretValue a = spec.generate(new SecureRandom());
        SecretValue b = spec.generate(new SecureRandom());
        assertThat(a.reveal()).hasSize(64).matches("[0-9a-f]+");
        assertThat(a).isNotEqualTo(b);
    }

    static InstanceContext context() {
        return new InstanceContext("inst-1", "tenant-42", "acme", "acme.apps.example.com", "Europe/Berlin",
                InstanceContext.Owner.of("owner@acme.example", "Ada Lovelace"));
    }

    static Map<String, SecretValue> generate(AppTemplate app) {
        SecureRandom random = new SecureRandom();
        Map<String, SecretValue> secrets = new HashMap<>();
        // a derived secret is computed by the engine (InstanceSecrets); any non-empty stand-in renders here
        app.secrets().forEach(s -> secrets.put(s.name(), s.derived() ? SecretValue.of("$2a$10$derived") : s.generate(random)));
        return secrets;
    }

    private static List<ComponentSpec> resolve(AppTemplate app) {
        return new TemplateResolver().resolve(app, app.defaultVersion(), context(), generate(app));
    }

    @Test
    void anOperatorCanServeTheImagesFromElsewhereAndNothingElseChanges() {
        Catalog builtin = Catalog.builtin();
        Catalog local = builtin.withImages(Map.of("docker.n8n.io/n8nio/n8n:{version}", "registry.example.test/n8n:{version}"));

        assertThat(local.get("n8n").components().get(0).image()).isEqualTo("registry.example.test/n8n:{version}");
        assertThat(local.get("n8n").components().get(0).env()).isEqualTo(builtin.get("n8n").components().get(0).env());
        assertThat(local.get("n8n").owner()).isEqualTo(builtin.get("n8n").owner());
        assertThat(local.get("wordpress")).isEqualTo(builtin.get("wordpress"));
        assertThatThrownBy(() -> builtin.withImages(Map.of("n8nio/n8n:latest", "x")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("images[n8nio/n8n:latest]"));
    }
}
