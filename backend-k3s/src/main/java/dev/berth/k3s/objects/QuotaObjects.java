package dev.berth.k3s.objects;

import dev.berth.spi.ResourceLimits;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1LimitRangeItem;
import io.kubernetes.client.openapi.models.V1LimitRangeSpec;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.berth.k3s.objects.Meta.resources;
import static dev.berth.k3s.objects.Meta.share;

/**
 * The plan as the cluster enforces it: the ResourceQuotas that cap the namespace at exactly the plan (storage;
 * compute; the archiver's own room) and the LimitRange that gives containers and claims their defaults and maxima.
 */
final class QuotaObjects {

    private static final long ARCHIVER_CPU_MILLIS = 500;
    private static final long ARCHIVER_MEMORY_BYTES = 256 * ResourceLimits.MIB;

    private final Meta meta;

    QuotaObjects(Meta meta) {
        this.meta = meta;
    }

    /**
     * The plan's storage and service caps. It is named like the quota of earlier versions (which also held the
     * compute caps), so applying it to an existing instance converges instead of leaving a stale object.
     */
    V1ResourceQuota quota(InstanceSpec spec) {
        ResourceLimits r = spec.resources();
        Map<String, Quantity> hard = new TreeMap<>();
        hard.put("requests.storage", Quantities.bytes(r.diskBytes()));
        hard.put("persistentvolumeclaims", new Quantity(Integer.toString(Meta.volumeCount(spec))));
        hard.put("services.loadbalancers", new Quantity("0"));
        hard.put("services.nodeports", new Quantity("0"));
        return new V1ResourceQuota().apiVersion("v1").kind("ResourceQuota")
                .metadata(meta.of(spec, InstanceObjects.QUOTA, null)).spec(new V1ResourceQuotaSpec().hard(hard));
    }

    /**
     * The plan's CPU and memory, exactly, for the long-running pods. Scoped to {@code NotTerminating} (pods
     * without {@code activeDeadlineSeconds}) so that a backup taken while the app runs is not refused for a
     * plan that is already fully used: the archiver pod has a deadline and counts against
     * {@link #archiverQuota} instead.
     */
    V1ResourceQuota computeQuota(InstanceSpec spec) {
        ResourceLimits r = spec.resources();
        Map<String, Quantity> hard = new TreeMap<>();
        hard.put("requests.cpu", Quantities.cpu(r.cpuRequestMillis()));
        hard.put("limits.cpu", Quantities.cpu(r.cpuLimitMillis()));
        hard.put("requests.memory", Quantities.bytes(r.memoryRequestBytes()));
        hard.put("limits.memory", Quantities.bytes(r.memoryLimitBytes()));
        hard.put("pods", new Quantity(Integer.toString(spec.components().size())));
        return new V1ResourceQuota().apiVersion("v1").kind("ResourceQuota")
                .metadata(meta.of(spec, InstanceObjects.COMPUTE_QUOTA, null))
                .spec(new V1ResourceQuotaSpec().hard(hard).scopes(List.of("NotTerminating")));
    }

    /** Room for exactly one archiver pod (pods with a deadline), at the archiver's own size. */
    V1ResourceQuota archiverQuota(InstanceSpec spec) {
        V1ResourceRequirements a = archiverResources(spec);
        Map<String, Quantity> hard = new TreeMap<>();
        hard.put("requests.cpu", a.getRequests().get("cpu"));
        hard.put("limits.cpu", a.getLimits().get("cpu"));
        hard.put("requests.memory", a.getRequests().get("memory"));
        hard.put("limits.memory", a.getLimits().get("memory"));
        hard.put("pods", new Quantity("1"));
        return new V1ResourceQuota().apiVersion("v1").kind("ResourceQuota")
                .metadata(meta.of(spec, InstanceObjects.ARCHIVER_QUOTA, null))
                .spec(new V1ResourceQuotaSpec().hard(hard).scopes(List.of("Terminating")));
    }

    V1LimitRange limitRange(InstanceSpec spec) {
        ResourceLimits r = spec.resources();
        int n = spec.components().size();
        V1LimitRangeItem container = new V1LimitRangeItem().type("Container")
                .defaultRequest(resources("cpu", Quantities.cpu(share(r.cpuRequestMillis(), n, 1)),
                        "memory", Quantities.bytes(share(r.memoryRequestBytes(), n, 1))))
                ._default(resources("cpu", Quantities.cpu(share(r.cpuLimitMillis(), n, 1)),
                        "memory", Quantities.bytes(share(r.memoryLimitBytes(), n, 1))))
                .max(resources("cpu", Quantities.cpu(r.cpuLimitMillis()), "memory", Quantities.bytes(r.memoryLimitBytes())));
        V1LimitRangeItem claim = new V1LimitRangeItem().type("PersistentVolumeClaim")
                .max(resources("storage", Quantities.bytes(r.diskBytes())));
        return new V1LimitRange().apiVersion("v1").kind("LimitRange")
                .metadata(meta.of(spec, InstanceObjects.QUOTA, null)).spec(new V1LimitRangeSpec().limits(List.of(container, claim)));
    }

    /** The archiver's size: small requests, limits capped by the plan's (the LimitRange's maximum). */
    static V1ResourceRequirements archiverResources(InstanceSpec spec) {
        ResourceLimits r = spec.resources();
        long cpuLimit = Math.min(ARCHIVER_CPU_MILLIS, r.cpuLimitMillis());
        long memoryLimit = Math.min(ARCHIVER_MEMORY_BYTES, r.memoryLimitBytes());
        return new V1ResourceRequirements()
                .requests(resources("cpu", Quantities.cpu(Math.min(10, cpuLimit)),
                        "memory", Quantities.bytes(Math.min(32 * ResourceLimits.MIB, memoryLimit))))
                .limits(resources("cpu", Quantities.cpu(cpuLimit), "memory", Quantities.bytes(memoryLimit)));
    }
}
