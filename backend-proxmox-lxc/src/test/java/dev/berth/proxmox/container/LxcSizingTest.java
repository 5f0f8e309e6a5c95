package dev.berth.proxmox.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Plan limits to LXC config and back, exactly. */
class LxcSizingTest {

    private static final long MIB = ResourceLimits.MIB;
    private static final long GIB = ResourceLimits.GIB;

    @Test
    void fractionalCpuLimitRoundsCoresUpAndCapsWithCpulimit() {
        var limits = new ResourceLimits(250, 1500, 256 * MIB, 512 * MIB, 4 * GIB);
        assertThat(LxcSizing.cpuAndMemory(limits, 0)).containsEntry("cores", 2L).containsEntry("cpulimit", "1.5")
                .containsEntry("cpuunits", 250L).containsEntry("memory", 512L).containsEntry("swap", 0);
    }

    @Test
    void readBackRestoresEveryValue() {
        var limits = new ResourceLimits(300, 2000, 200 * MIB, 768 * MIB, 8 * GIB);
        ObjectNode config = new ObjectMapper().createObjectNode();
        LxcSizing.cpuAndMemory(limits, 0).forEach((k, v) -> config.put(k, v.toString()));
        config.put("rootfs", "local-lvm:vm-100-disk-0,size=8G");
        BerthMetadata meta = new BerthMetadata("i", "t", "a", "1", 200, 0, java.util.List.of());
        assertThat(LxcSizing.readBack(config, meta)).isEqualTo(limits);
    }

    @Test
    void rootfsSizesInAnyUnit() {
        assertThat(LxcSizing.rootfsBytes("local:100/vm-100-disk-0.raw,size=512M")).isEqualTo(512 * MIB);
        assertThat(LxcSizing.rootfsBytes("local-lvm:vm-1-disk-0,size=1.5G,acl=1")).isEqualTo(3 * GIB / 2);
        assertThat(LxcSizing.rootfsBytes("local-lvm:vm-1-disk-0")).isZero();
    }

    @Test
    void valuesProxmoxCannotStoreAreRefusedByField() {
        assertThatThrownBy(() -> LxcSizing.validate(new ResourceLimits(100, 100, 64 * MIB, 64 * MIB, GIB + 1)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("resources.diskBytes"));
        assertThatThrownBy(() -> LxcSizing.validate(new ResourceLimits(100, 100, 8 * MIB, 8 * MIB, GIB)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("resources.memoryLimitBytes"));
    }
}
