package dev.berth.k3s.objects;

import dev.berth.k3s.K3sSettings;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1ObjectMeta;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What every builder of an instance's objects shares: the namespace name, metadata and labels, sorted resource
 * maps and the even split of the plan over components and volumes.
 */
final class Meta {

    private final K3sSettings settings;

    Meta(K3sSettings settings) {
        this.settings = settings;
    }

    /** Name of an instance's namespace. */
    String namespace(String instanceId) {
        String name = settings.namespacePrefix() + instanceId.toLowerCase(Locale.ROOT).replace('_', '-').replace('.', '-');
        InstanceSpec.dnsLabel("instanceId", name);
        return name;
    }

    /** Metadata of a namespaced object of the instance; {@code component} null for instance-wide objects. */
    V1ObjectMeta of(InstanceSpec spec, String name, String component) {
        return new V1ObjectMeta().name(name).namespace(namespace(spec.instanceId())).labels(labels(spec, component));
    }

    /** The instance's labels (its own, then Berth's), plus the component's when given. Mutable and sorted. */
    static Map<String, String> labels(InstanceSpec spec, String component) {
        Map<String, String> labels = new TreeMap<>(spec.labels());
        labels.put(Labels.MANAGED_BY, Labels.MANAGER);
        labels.put(Labels.INSTANCE, spec.instanceId());
        labels.put(Labels.TENANT, spec.tenantId());
        labels.put(Labels.APP, spec.appId());
        if (component != null) {
            labels.put(Labels.COMPONENT, component);
        }
        return labels;
    }

    // sorted, so that the same plan always serialises to the same bytes (Map.of iterates in a per-JVM order)
    static Map<String, Quantity> resources(String k1, Quantity v1) {
        return new TreeMap<>(Map.of(k1, v1));
    }

    static Map<String, Quantity> resources(String k1, Quantity v1, String k2, Quantity v2) {
        return new TreeMap<>(Map.of(k1, v1, k2, v2));
    }

    static int volumeCount(InstanceSpec spec) {
        return spec.components().stream().mapToInt(c -> c.volumes().size()).sum();
    }

    /** One of {@code n} shares of {@code total}: part 0 carries the rounding remainder, so the shares sum to the total. */
    static long share(long total, int n, int part) {
        long base = total / n;
        return part == 0 ? base + total % n : base;
    }
}
