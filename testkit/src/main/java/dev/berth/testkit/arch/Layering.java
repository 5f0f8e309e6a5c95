package dev.berth.testkit.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import jakarta.persistence.Entity;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Berth's layering rules as ArchUnit rules, for each module's tests to check on its own production classes:
 * a backend builds on the SPI alone, and the engine's JPA entities never leave core.
 *
 * <pre>{@code
 * @Test
 * void buildsOnTheSpiAlone() {
 *     Layering.backendUsesOnlyTheSpi().check(Layering.productionClasses("dev.berth.docker"));
 * }
 * }</pre>
 */
public final class Layering {

    private Layering() {
    }

    /** The production classes (no tests) of the packages under {@code rootPackage}. */
    public static JavaClasses productionClasses(String rootPackage) {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(rootPackage);
    }

    /**
     * A runtime backend depends on {@code dev.berth.spi} and its own libraries, never on core (the engine, the
     * store, the catalog): a plugin author needs nothing but the SPI, and the engine stays free to change.
     */
    public static ArchRule backendUsesOnlyTheSpi() {
        return noClasses().should().dependOnClassesThat().resideInAPackage("dev.berth.core..")
                .because("a backend implements the SPI and must not reach into the engine");
    }

    /** Core's JPA entities are its private persistence model: nothing outside core touches them. */
    public static ArchRule entitiesStayInCore() {
        return noClasses().that().resideOutsideOfPackage("dev.berth.core..")
                .should().dependOnClassesThat().areAnnotatedWith(Entity.class)
                .because("the database layout is core's own; other modules go through its services");
    }
}
