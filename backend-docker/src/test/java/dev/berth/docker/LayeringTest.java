package dev.berth.docker;

import dev.berth.testkit.arch.Layering;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The backend builds on the SPI alone (see {@link Layering}). */
class LayeringTest {

    @Test
    void buildsOnTheSpiAlone() {
        var classes = Layering.productionClasses("dev.berth.docker");
        assertThat(classes).isNotEmpty();
        Layering.backendUsesOnlyTheSpi().check(classes);
    }
}
