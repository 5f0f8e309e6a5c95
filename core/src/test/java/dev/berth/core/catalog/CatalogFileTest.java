package dev.berth.core.catalog;

import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CatalogFileTest {

    @TempDir
    Path dir;

    @Test
    void operator_override_replaces_builtin_entry_and_adds_new_ones() throws IOException {
        // an operator's own n8n: newer pinned version and Postgres left out, same id
        String override = Files.readString(Path.of("src/main/resources/dev/berth/core/catalog/builtin-catalog.yaml"))
                .lines().takeWhile(l -> !l.startsWith("  - id: ghost")).reduce("", (a, b) -> a + b + "\n")
                .replace("\"2.33.5\"", "\"2.11.0\"")
                + CatalogValidationTest.VALID.substring(CatalogValidationTest.VALID.indexOf("  - id: demo"));
        Path file = Files.writeString(dir.resolve("operator.yml"), override);

        Catalog merged = Catalog.builtin().merge(Catalog.load(file));

        assertThat(merged.ids()).containsExactly("n8n", "ghost", "wordpress", "odoo", "demo");
        assertThat(merged.get("n8n").defaultVersion()).isEqualTo("2.11.0");
        assertThat(Catalog.builtin().get("n8n").defaultVersion()).isEqualTo("2.33.5"); // built-in untouched
    }

    @Test
    void loads_json_by_extension_with_unknown_fields_rejected() throws IOException {
        String json = """
                {"apps": [{"id": "j", "name": "J", "defaultVersion": "1.0.0", "supportedVersions": ["1.0.0"],
                  "licence": {"spdx": "MIT", "requiresAcknowledgement": false},
                  "components": [{"name": "app", "image": "x/j:{version}", "http": true,
                    "ports": [{"name": "http", "port": 80}],
                    "readiness": {"path": "/", "port": 80, "timeout": "PT30S"}}]}]}
                """;
        Catalog catalog = Catalog.load(Files.writeString(dir.resolve("c.json"), json));
        assertThat(catalog.get("j").httpComponent().readiness().timeout().getSeconds()).isEqualTo(30);

        Path bad = Files.writeString(dir.resolve("bad.json"), json.replace("\"http\": true", "\"http\": true, \"cmd\": 1"));
        assertThatThrownBy(() -> Catalog.load(bad)).isInstanceOfSatisfying(InvalidSpecException.class,
                e -> assertThat(e.field()).isEqualTo("apps[j].components[app].cmd"));
    }

    @Test
    void empty_override_file_is_no_overrides() throws IOException {
        Catalog empty = Catalog.load(Files.writeString(dir.resolve("empty.yaml"), ""));
        assertThat(Catalog.builtin().merge(empty).all()).hasSize(4);
    }

    @Test
    void rejects_other_extensions_and_reports_missing_files() {
        assertThatThrownBy(() -> Catalog.load(dir.resolve("catalog.txt")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("catalog"));
        assertThatThrownBy(() -> Catalog.load(dir.resolve("missing.yaml"))).isInstanceOf(NotFoundException.class);
    }

    @Test
    void get_unknown_app_is_not_found() {
        assertThatThrownBy(() -> Catalog.builtin().get("nope"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.kind()).isEqualTo("app");
                    assertThat(e.id()).isEqualTo("nope");
                });
        assertThat(Catalog.builtin().find("nope")).isEmpty();
    }

    @Test
    void licence_gate_rejects_n8n_without_acknowledgement() {
        assertThatThrownBy(() -> Catalog.builtin().requireOfferable("n8n", Set.of()))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("licenceAcknowledgements");
                    assertThat(e.getMessage()).contains("Sustainable Use License").contains("n8n Embed")
                            .contains("berth.licenceAcknowledgements: [n8n]");
                });
        assertThatThrownBy(() -> Catalog.builtin().requireOfferable("n8n", null))
                .isInstanceOf(InvalidSpecException.class);
    }

    @Test
    void licence_gate_accepts_n8n_with_acknowledgement_and_others_without() {
        assertThatCode(() -> Catalog.builtin().requireOfferable("n8n", Set.of("n8n"))).doesNotThrowAnyException();
        for (String id : new String[] {"ghost", "wordpress", "odoo"}) {
            assertThatCode(() -> Catalog.builtin().requireOfferable(id, Set.of())).doesNotThrowAnyException();
        }
    }
}
