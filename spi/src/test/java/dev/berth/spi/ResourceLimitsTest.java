package dev.berth.spi;

import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;

import static dev.berth.spi.ResourceLimits.GIB;
import static dev.berth.spi.ResourceLimits.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceLimitsTest {

    @Test
    void burstablePlansAreFirstClass() {
        var burstable = new ResourceLimits(250, 1000, 512 * MIB, GIB, 10 * GIB);
        assertThat(burstable.burstable()).isTrue();
        assertThat(ResourceLimits.guaranteed(1000, GIB, 10 * GIB).burstable()).isFalse();
    }

    @Test
    void invalidLimitsNameTheField() {
        assertThatThrownBy(() -> new ResourceLimits(2000, 1000, MIB * 512, GIB, GIB))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("cpuRequestMillis"));
        assertThatThrownBy(() -> new ResourceLimits(100, 1000, 2 * GIB, GIB, GIB))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("memoryRequestBytes"));
        assertThatThrownBy(() -> new ResourceLimits(100, 1000, 512, 1024, GIB))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("memoryLimitBytes"));
        assertThatThrownBy(() -> new ResourceLimits(100, 1000, MIB * 64, MIB * 64, 0))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("diskBytes"));
    }
}
