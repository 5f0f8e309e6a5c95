package dev.berth.examples.server;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.berth.testkit.arch.Layering;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every Berth module the server packages keeps away from core's JPA entities (see {@link Layering}). */
class LayeringTest {

    @Test
    void noModuleOutsideCoreTouchesTheEntities() {
        var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.berth");
        assertThat(classes.containPackage("dev.berth.stripe")).isTrue();
        assertThat(classes.containPackage("dev.berth.examples.server")).isTrue();
        Layering.entitiesStayInCore().check(classes);
    }
}
