package dev.berth.k3s.capacity;

import dev.berth.spi.NodeCapacity;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.*;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Capacity is the node's allocatable; usage the requests of the pods bound to it and the claims they mount. */
class NodeUsageTest {

    @Test
    void sumsRequestsAndMountedClaimsPerNode() {
        V1Node small = node("small", "2", "4Gi", "50Gi");
        V1Node large = node("large", "8", "32Gi", "200Gi");
        List<V1Pod> pods = List.of(pod("a", "p1", "small", "250m", "256Mi", "data"), pod("a", "p2", "small", "1", "1Gi", null),
                pod("b", "p3", "large", "500m", "512Mi", "data"), pod("c", "pending", null, "4", "4Gi", null));
        List<V1PersistentVolumeClaim> claims = List.of(claim("a", "data", "5Gi"), claim("b", "data", "10Gi"));

        List<NodeCapacity> nodes = NodeUsage.of(List.of(small, large), pods, claims);

        assertThat(nodes).containsExactly(
                new NodeCapacity("small", 2000, 4L << 30, 50L << 30, 1250, (256L << 20) + (1L << 30), 5L << 30),
                new NodeCapacity("large", 8000, 32L << 30, 200L << 30, 500, 512L << 20, 10L << 30));
    }

    private static V1Node node(String name, String cpu, String memory, String disk) {
        return new V1Node().metadata(new V1ObjectMeta().name(name)).status(new V1NodeStatus().allocatable(Map.of(
                "cpu", new Quantity(cpu), "memory", new Quantity(memory), "ephemeral-storage", new Quantity(disk))));
    }

    private static V1Pod pod(String ns, String name, String node, String cpu, String memory, String claim) {
        V1PodSpec spec = new V1PodSpec().nodeName(node).containers(List.of(new V1Container().name("c").resources(
                new V1ResourceRequirements().requests(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory))))));
        if (claim != null) {
            spec.volumes(List.of(new V1Volume().name("v").persistentVolumeClaim(
                    new V1PersistentVolumeClaimVolumeSource().claimName(claim))));
        }
        return new V1Pod().metadata(new V1ObjectMeta().namespace(ns).name(name)).spec(spec);
    }

    private static V1PersistentVolumeClaim claim(String ns, String name, String size) {
        return new V1PersistentVolumeClaim().metadata(new V1ObjectMeta().namespace(ns).name(name)).spec(
                new V1PersistentVolumeClaimSpec().resources(new V1VolumeResourceRequirements().requests(Map.of("storage", new Quantity(size)))));
    }
}
