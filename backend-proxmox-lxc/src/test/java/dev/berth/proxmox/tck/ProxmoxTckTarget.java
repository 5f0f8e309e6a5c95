package dev.berth.proxmox.tck;

import dev.berth.proxmox.sim.SimCluster;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.NodeRef;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.SecretValue;
import dev.berth.testkit.tck.TckTarget;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The provider TCK's view of a simulated three-node Proxmox cluster, with SSH into the containers for real:
 * instances go to {@code pve1}, migrations to {@code pve2}, the marker is a file in the container, a leftover is
 * the instance's container. Closing it fails when the provider sent a request the Proxmox API schema rejects,
 * and always stops the cluster.
 */
final class ProxmoxTckTarget implements TckTarget {

    static final NodeRef NODE = new NodeRef("node-pve1", "pve1", Map.of());
    static final NodeRef OTHER = new NodeRef("node-pve2", "pve2", Map.of());

    private final SimCluster cluster = SimCluster.start(3);

    @Override
    public RuntimeProvider provider() {
        return cluster.provider();
    }

    @Override
    public NodeRef node() {
        return NODE;
    }

    @Override
    public NodeRef otherNode() {
        return OTHER;
    }

    @Override
    public List<ComponentSpec> components(String instanceId, String version) {
        return List.of(new ComponentSpec("app", null, SimCluster.TEMPLATE,
                List.of(new ComponentSpec.Port("http", 8080)), List.of(new ComponentSpec.Volume("data", "/var/lib/testapp")),
                Map.of("APP_HOST", instanceId + ".tck.invalid"),
                Map.of("APP_SECRET", SecretValue.of("s3cret-" + instanceId)), null, true));
    }

    @Override
    public void writeMarker(String instanceId, String content) {
        cluster.writeFile(instanceId, SimCluster.MARKER, content);
    }

    @Override
    public Optional<String> readMarker(String instanceId) {
        return cluster.readFile(instanceId, SimCluster.MARKER);
    }

    /**
     * Proxmox cannot shrink a root disk, and the TCK's plan change goes up and back down; so the large plan keeps
     * the small plan's disk here (CPU and memory still change both ways). Growing the disk and refusing to shrink
     * it are proven in ProxmoxBootstrapIT.rootDiskGrowsButNeverShrinks. Only the lifecycle suite changes plans.
     */
    @Override
    public ResourceLimits largePlan() {
        ResourceLimits large = TckTarget.super.largePlan();
        return new ResourceLimits(large.cpuRequestMillis(), large.cpuLimitMillis(), large.memoryRequestBytes(),
                large.memoryLimitBytes(), smallPlan().diskBytes());
    }

    @Override
    public List<String> leftovers(String instanceId) {
        return cluster.container(instanceId).map(ct -> List.of("CT " + ct.vmid() + " on " + ct.node())).orElse(List.of());
    }

    @Override
    public void close() {
        try {
            assertThat(cluster.sim().schemaViolations()).as("requests the Proxmox API schema rejects").isEmpty();
        } finally {
            cluster.close();
        }
    }
}
