package dev.berth.core.plan;

import dev.berth.spi.ResourceLimits;
import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.berth.spi.ResourceLimits.GIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlanTest {

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
