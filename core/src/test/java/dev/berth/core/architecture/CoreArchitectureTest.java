package dev.berth.core.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The layering rules of core's production code, checked on the compiled classes. */
class CoreArchitectureTest {

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.berth.core");
    }

    @Test
    void corePackagesFormNoCycles() {
        slices().matching("dev.berth.core.(*)..").should().beFreeOfCycles().check(core);
    }

    @Test
    void theSpiDependsOnNothingOfCore() {
        JavaClasses spi = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.berth.spi");
        noClasses().should().dependOnClassesThat().resideInAPackage("dev.berth.core..").check(spi);
    }
}
