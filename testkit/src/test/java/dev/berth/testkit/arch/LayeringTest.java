package dev.berth.testkit.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayeringTest {

    private static final JavaClasses FIXTURES = new ClassFileImporter().importPackages("dev.berth.testkit.arch.fixture");

    @Test
    void aBackendThatImportsTheEngineBreaksTheRule() {
        assertThatThrownBy(() -> Layering.backendUsesOnlyTheSpi().check(FIXTURES))
                .hasMessageContaining("BackendReachingIntoTheEngine")
                .hasMessageContaining("dev.berth.core.lifecycle.EngineSettings");
    }

    @Test
    void aClassOutsideCoreThatTouchesAnEntityBreaksTheRule() {
        assertThatThrownBy(() -> Layering.entitiesStayInCore().check(FIXTURES))
                .hasMessageContaining("EntityUser").hasMessageContaining("InstanceEntity");
    }

    @Test
    void theTestkitsOwnProviderAndTckUseOnlyTheSpi() {
        JavaClasses tck = Layering.productionClasses("dev.berth.testkit.tck");
        assertThat(tck).isNotEmpty();
        Layering.backendUsesOnlyTheSpi().check(tck);
    }
}
