package dev.berth.proxmox.tck;

import dev.berth.core.plan.ResourceLimits;
import dev.berth.core.provider.ComponentSpec;
import dev.berth.core.provider.NodeRef;
import dev.berth.core.secret.SecretValue;
import dev.berth.proxmox.sim.SimCluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the four TCK subclasses share: one simulated three-node cluster per test class, and the hooks. */
final class SimTck {

    private SimTck() {
    }

    static final NodeRef NODE = new NodeRef("node-pve1", "pve1", Map.of());
    static final NodeRef OTHER = new NodeRef("node-pve2", "pve2", Map.of());

    static List<ComponentSpec> components(String instanceId, String version) {
        return List.of(new ComponentSpec("app", null, SimCluster.TEMPLATE,
                List.of(new ComponentSpec.Port("http", 8080)), List.of(new ComponentSpec.Volume("data", "/var/lib/testapp")),
                Map.of("APP_HOST", instanceId + ".tck.invalid"),
                Map.of("APP_SECRET", SecretValue.of("s3cret-" + instanceId)), null, true));
    }

    static void writeMarker(SimCluster cluster, String instanceId, String content) {
        cluster.writeFile(instanceId, SimCluster.MARKER, content);
    }

    static Optional<String> readMarker(SimCluster cluster, String instanceId) {
        return cluster.readFile(instanceId, SimCluster.MARKER);
    }

    /**
     * Proxmox cannot shrink a root disk, and the TCK's plan change goes up and back down; so the large plan keeps
     * the small plan's disk here (CPU and memory still change both ways). Growing the disk and refusing to shrink
     * it are proven in ProxmoxChangePlanIT.
     */
    static ResourceLimits largePlanSameDisk(ResourceLimits large, ResourceLimits small) {
        return new ResourceLimits(large.cpuRequestMillis(), large.cpuLimitMillis(), large.memoryRequestBytes(),
                large.memoryLimitBytes(), small.diskBytes());
    }
}
