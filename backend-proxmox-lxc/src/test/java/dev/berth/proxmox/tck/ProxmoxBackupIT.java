package dev.berth.proxmox.tck;

import dev.berth.core.provider.ComponentSpec;
import dev.berth.core.provider.NodeRef;
import dev.berth.core.provider.RuntimeProvider;
import dev.berth.proxmox.sim.SimCluster;
import dev.berth.testkit.tck.BackupContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The provider TCK's backup suite against the Proxmox simulator, with SSH into the containers for real. */
class ProxmoxBackupIT extends BackupContract {

    private static SimCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = SimCluster.start(3);
    }

    @AfterAll
    static void stopCluster() {
        assertThat(cluster.sim().schemaViolations()).as("requests the Proxmox API schema rejects").isEmpty();
        cluster.close();
    }

    @Override
    protected RuntimeProvider provider() {
        return cluster.provider();
    }

    @Override
    protected NodeRef node() {
        return SimTck.NODE;
    }

    @Override
    protected List<ComponentSpec> components(String instanceId, String version) {
        return SimTck.components(instanceId, version);
    }

    @Override
    protected void writeMarker(String instanceId, String content) {
        SimTck.writeMarker(cluster, instanceId, content);
    }

    @Override
    protected Optional<String> readMarker(String instanceId) {
        return SimTck.readMarker(cluster, instanceId);
    }

    @Override
    protected List<String> leftovers(String instanceId) {
        return cluster.container(instanceId).map(ct -> List.of("CT " + ct.vmid() + " on " + ct.node())).orElse(List.of());
    }
}
