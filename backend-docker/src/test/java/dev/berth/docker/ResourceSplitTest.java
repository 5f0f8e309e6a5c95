package dev.berth.docker;

import com.github.dockerjava.api.model.HostConfig;
import dev.berth.docker.create.ResourceSplit;
import dev.berth.spi.ResourceLimits;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResourceSplitTest {

    @Test
    void oneComponentGetsThePlan() {
        ResourceLimits plan = new ResourceLimits(250, 1000, 64 * ResourceLimits.MIB, 128 * ResourceLimits.MIB, ResourceLimits.GIB);

        ResourceSplit s = ResourceSplit.of(plan, 0, 1);

        assertThat(s.nanoCpus()).isEqualTo(1_000_000_000L);
        assertThat(s.cpuShares()).isEqualTo(256);
        assertThat(s.memoryBytes()).isEqualTo(128 * ResourceLimits.MIB);
        assertThat(s.memoryReservationBytes()).isEqualTo(64 * ResourceLimits.MIB);
    }

    @Test
    void splitAcrossComponentsSumsBackToThePlanForAwkwardValues() {
        for (int count = 1; count <= 4; count++) {
            for (long cpu : new long[] {10, 33, 250, 333, 1001, 7777}) {
                ResourceLimits plan = new ResourceLimits(cpu, cpu * 3, 100 * ResourceLimits.MIB + 7, 300 * ResourceLimits.MIB + 1, 5);
                List<HostConfig> configs = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    ResourceSplit s = ResourceSplit.of(plan, i, count);
                    configs.add(HostConfig.newHostConfig().withNanoCPUs(s.nanoCpus()).withCpuShares(s.cpuShares())
                            .withMemory(s.memoryBytes()).withMemoryReservation(s.memoryReservationBytes()));
                }

                assertThat(ResourceSplit.readBack(configs, 5)).as("%d components, %dm CPU", count, cpu).isEqualTo(plan);
            }
        }
    }
}
