package dev.berth.core.plan;

import dev.berth.core.error.InvalidSpecException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.berth.core.plan.ResourceLimits.GIB;
import static dev.berth.core.plan.ResourceLimits.MIB;
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

    @Test
    void plansValidateIdsAndDefaultTheirPeriods() {
        var limits = ResourceLimits.guaranteed(500, GIB, GIB);
        Plan p = Plan.of("basic", "Basic", limits, BackupPolicy.every(Duration.ofDays(1), Duration.ofDays(7)));
        assertThat(p.gracePeriod()).isEqualTo(Duration.ofDays(7));
        assertThat(p.isolation()).isEqualTo(Isolation.SHARED);
        assertThatThrownBy(() -> Plan.of("Basic Plan", "x", limits, null))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("id"));
        assertThatThrownBy(() -> BackupPolicy.every(Duration.ofMinutes(1), Duration.ofDays(1)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("backupPolicy.interval"));
    }
}
