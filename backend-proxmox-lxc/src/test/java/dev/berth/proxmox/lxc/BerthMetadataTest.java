package dev.berth.proxmox.lxc;

import dev.berth.proxmox.container.BerthMetadata;
import dev.berth.proxmox.network.AddressPool;
import dev.berth.spi.error.InsufficientCapacityException;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The description block, VM id range and address pool. */
class BerthMetadataTest {

    @Test
    void metadataRoundTripsThroughTheDescription() {
        BerthMetadata m = new BerthMetadata("inst-1", "ten-1", "n8n", "1.2.3", 256, 5678, java.util.List.of("abc+/x", "def"));
        assertThat(BerthMetadata.parse(m.render())).isEqualTo(m);
        assertThat(BerthMetadata.parse("operator notes\n" + m.render())).isEqualTo(m);
        assertThat(BerthMetadata.parse(null).instanceId()).isNull();
    }

    @Test
    void vmidsComeFromTheRangeSkippingTakenAndReserved() {
        VmidAllocator ids = VmidAllocator.range(500, 503);
        Set<Integer> taken = Set.of(500, 502);
        assertThat(ids.reserve(taken::contains)).isEqualTo(501);
        assertThat(ids.reserve(taken::contains)).isEqualTo(503);
        assertThatThrownBy(() -> ids.reserve(taken::contains)).isInstanceOf(InsufficientCapacityException.class);
        ids.release(501);
        assertThat(ids.reserve(taken::contains)).isEqualTo(501);
    }

    @Test
    void addressPoolHandsOutFreeAddresses() {
        AddressPool pool = new AddressPool("10.0.0.254", "10.0.1.1", 23, "10.0.0.1");
        assertThat(pool.reserve(Set.of("10.0.0.254"))).isEqualTo("10.0.0.255");
        assertThat(pool.reserve(Set.of())).isEqualTo("10.0.0.254");
        assertThat(pool.netConfig("10.0.1.0")).isEqualTo("ip=10.0.1.0/23,gw=10.0.0.1");
    }
}
