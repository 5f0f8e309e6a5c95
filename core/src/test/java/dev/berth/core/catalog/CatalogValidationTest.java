package dev.berth.core.catalog;

import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Templates are rejected at load time with the offending field named. */
class CatalogValidationTest {

    /** A valid one-app catalog; tests break one thing at a time. */
    static final String VALID = """
            apps:
              - id: demo
                name: Demo
                defaultVersion: "1.2.3"
                supportedVersions: ["1.2.3", "1.2.4"]
                secrets:
                  - name: KEY
                    length: 32
                    alphabet: HEX
                licence:
                  spdx: MIT
                  requiresAcknowledgement: false
                components:
                  - name: app
                    image: "example/demo:{version}"
                    http: true
                    ports:
                      - name: http
                        port: 8080
                    volumes:
                      - name: data
                        path: /data
                    env:
                      PUBLIC_HOST: "${host}"
                      APP_KEY: "${secret.KEY}"
                    readiness:
                      path: /health
                      port: 8080
              """;

    @Test
    void the_valid_template_loads() {
        Catalog catalog = Catalog.parseYaml(VALID);
        AppTemplate demo = catalog.get("demo");
        assertThat(demo.httpComponent().readiness().timeout()).isEqualTo(ProbeSpec.DEFAULT_TIMEOUT);
        assertThat(demo.httpComponent().env()).containsKeys("PUBLIC_HOST", "APP_KEY");
    }

    @Test
    void a_secret_marked_credential_is_read_and_defaults_to_false() {
        assertThat(Catalog.parseYaml(VALID).get("demo").secret("KEY").orElseThrow().credential()).isFalse();
        String withAdmin = VALID.replace("        alphabet: HEX\n",
                "        alphabet: HEX\n      - name: ADMIN_PASSWORD\n        length: 20\n        alphabet: ALPHANUMERIC\n        credential: true\n");
        assertThat(Catalog.parseYaml(withAdmin).get("demo").secret("ADMIN_PASSWORD").orElseThrow().credential()).isTrue();
    }

    @Test
    void the_encryption_key_cannot_be_a_customer_credential() {
        String yaml = VALID.replace("        alphabet: HEX\n", "        alphabet: HEX\n        credential: true\n")
                .replace("    defaultVersion:", "    encryptionKeySecret: KEY\n    defaultVersion:");
        assertRejected(yaml, "apps[demo].secrets[KEY].credential", "cannot be a customer credential");
    }

    @Test
    void unknown_placeholder_is_rejected_with_the_env_path() {
        assertRejected(VALID.replace("\"${host}\"", "\"${hostname}\""),
                "apps[demo].components[app].env.PUBLIC_HOST", "unknown placeholder '${hostname}'");
    }

    @Test
    void undeclared_secret_is_rejected_with_the_env_path() {
        assertRejected(VALID.replace("${secret.KEY}", "${secret.OTHER}"),
                "apps[demo].components[app].env.APP_KEY", "OTHER");
    }

    @Test
    void unknown_component_reference_is_rejected() {
        assertRejected(VALID.replace("\"${host}\"", "\"${component.db.host}\""),
                "apps[demo].components[app].env.PUBLIC_HOST", "component 'db'");
    }

    @Test
    void unterminated_placeholder_is_rejected() {
        assertRejected(VALID.replace("\"${host}\"", "\"${host\""),
                "apps[demo].components[app].env.PUBLIC_HOST", "unterminated");
    }

    @Test
    void escaped_dollar_brace_is_literal() {
        AppTemplate demo = Catalog.parseYaml(VALID.replace("\"${host}\"", "\"$${notAPlaceholder} costs $5\"")).get("demo");
        var spec = new TemplateResolver().resolve(demo, "1.2.3", BuiltinCatalogTest.context(),
                java.util.Map.of("KEY", dev.berth.spi.SecretValue.of("0123456789abcdef0123")));
        assertThat(spec.get(0).env()).containsEntry("PUBLIC_HOST", "${notAPlaceholder} costs $5");
    }

    @Test
    void unknown_field_is_rejected_and_named() {
        assertRejected(VALID.replace("        readiness:\n", "        readyness: {}\n        readiness:\n"),
                "apps[demo].components[app].readyness", "unknown field 'readyness'");
    }

    @Test
    void unknown_top_level_field_is_rejected() {
        assertRejected(VALID + "extra: 1\n", "extra", "unknown field");
    }

    @Test
    void wrong_type_names_the_field() {
        assertRejected(VALID.replace("port: 8080\n        volumes", "port: eighty\n        volumes"),
                "apps[demo].components[app].ports[http].port", "expected int");
    }

    @Test
    void latest_version_is_rejected() {
        assertRejected(VALID.replace("[\"1.2.3\", \"1.2.4\"]", "[\"1.2.3\", \"latest\"]"),
                "apps[demo].supportedVersions[1]", "floating");
    }

    @Test
    void empty_version_is_rejected() {
        assertRejected(VALID.replace("defaultVersion: \"1.2.3\"", "defaultVersion: \"\""),
                "apps[demo].defaultVersion", "empty");
    }

    @Test
    void default_version_must_be_supported() {
        assertRejected(VALID.replace("defaultVersion: \"1.2.3\"", "defaultVersion: \"2.0.0\""),
                "apps[demo].defaultVersion", "not one of supportedVersions");
    }

    @Test
    void image_without_tag_or_with_latest_is_rejected() {
        assertRejected(VALID.replace("example/demo:{version}", "example/demo"),
                "apps[demo].components[app].image", "pinned tag");
        assertRejected(VALID.replace("example/demo:{version}", "example/demo:latest"),
                "apps[demo].components[app].image", "floating");
        // a registry port is not a tag
        assertRejected(VALID.replace("example/demo:{version}", "registry:5000/demo"),
                "apps[demo].components[app].image", "pinned tag");
    }

    @Test
    void two_http_components_are_rejected() {
        String twoHttp = VALID + """
                      - name: other
                        image: "example/other:1.0.0"
                        http: true
                        ports:
                          - name: http
                            port: 9090
                        readiness:
                          port: 9090
                """;
        assertRejected(twoHttp, "apps[demo].components", "exactly one component must have http: true");
    }

    @Test
    void no_http_component_is_rejected() {
        assertRejected(VALID.replace("http: true", "http: false"), "apps[demo].components", "found 0");
    }

    @Test
    void readiness_port_must_be_declared() {
        assertRejected(VALID.replace("path: /health\n          port: 8080", "path: /health\n          port: 9999"),
                "apps[demo].components[app].readiness.port", "one of the component's ports");
    }

    @Test
    void encryption_key_secret_must_be_declared() {
        assertRejected(VALID.replace("name: Demo\n", "name: Demo\n    encryptionKeySecret: NOPE\n"),
                "apps[demo].encryptionKeySecret", "NOPE");
    }

    @Test
    void short_secret_is_rejected() {
        assertRejected(VALID.replace("length: 32", "length: 8"), "apps[demo].secrets[KEY].length", "between");
    }

    @Test
    void duplicate_env_key_is_rejected() {
        assertRejected(VALID.replace("PUBLIC_HOST: \"${host}\"", "PUBLIC_HOST: \"${host}\"\n          PUBLIC_HOST: x"),
                "catalog", "Duplicate");
    }

    @Test
    void duplicate_app_id_is_rejected() {
        String twice = VALID + VALID.substring(VALID.indexOf("  - id: demo"));
        assertRejected(twice, "apps[demo].id", "duplicate");
    }

    @Test
    void missing_licence_is_rejected() {
        assertRejected(VALID.replace("spdx: MIT", "spdx: \"\""), "apps[demo].licence.spdx", "blank");
    }

    private static void assertRejected(String yaml, String field, String messagePart) {
        assertThatThrownBy(() -> Catalog.parseYaml(yaml))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).contains(messagePart);
                });
    }
}
