package dev.berth.k3s.capacity;

import dev.berth.k3s.objects.Quantities;
import dev.berth.spi.NodeCapacity;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Volume;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Capacity and usage of each node the way the scheduler counts it: capacity is the Node's allocatable CPU,
 * memory and ephemeral storage; usage is the sum of the requests of the pods bound to it (all namespaces, not
 * only Berth's) and the storage requested by the claims those pods mount.
 */
public final class NodeUsage {

    private NodeUsage() {
    }

    /** One entry per node, in the API server's order. */
    public static List<NodeCapacity> of(List<V1Node> nodes, List<V1Pod> activePods, List<V1PersistentVolumeClaim> claims) {
        Map<String, Long> claimBytes = new HashMap<>();
        for (V1PersistentVolumeClaim c : claims) {
            Map<String, Quantity> requests = c.getSpec() == null || c.getSpec().getResources() == null ? null
                    : c.getSpec().getResources().getRequests();
            claimBytes.put(c.getMetadata().getNamespace() + "/" + c.getMetadata().getName(),
                    requests == null ? 0L : Quantities.bytes(requests.get("storage")));
        }
        List<NodeCapacity> out = new ArrayList<>();
        for (V1Node node : nodes) {
            String name = node.getMetadata().getName();
            Map<String, Quantity> allocatable = node.getStatus() == null || node.getStatus().getAllocatable() == null
                    ? Map.of() : node.getStatus().getAllocatable();
            long cpu = 0;
            long memory = 0;
            long disk = 0;
            for (V1Pod pod : activePods) {
                if (!name.equals(pod.getSpec().getNodeName())) {
                    continue;
                }
                for (V1Container c : pod.getSpec().getContainers()) {
                    Map<String, Quantity> requests = c.getResources() == null ? null : c.getResources().getRequests();
                    if (requests != null) {
                        cpu += Quantities.millis(requests.get("cpu"));
                        memory += Quantities.bytes(requests.get("memory"));
                    }
                }
                if (pod.getSpec().getVolumes() != null) {
                    for (V1Volume v : pod.getSpec().getVolumes()) {
                        if (v.getPersistentVolumeClaim() != null) {
                            disk += claimBytes.getOrDefault(pod.getMetadata().getNamespace() + "/"
                                    + v.getPersistentVolumeClaim().getClaimName(), 0L);
                        }
                    }
                }
            }
            out.add(new NodeCapacity(name, Quantities.millis(allocatable.get("cpu")), Quantities.bytes(allocatable.get("memory")),
                    Quantities.bytes(allocatable.get("ephemeral-storage")), cpu, memory, disk));
        }
        return out;
    }
}
