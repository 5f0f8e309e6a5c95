package dev.berth.k3s.objects;

import dev.berth.k3s.K3sSettings;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.SecretValue;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Job;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders the Kubernetes objects of one instance from its {@link InstanceSpec} and the provider's settings, in
 * the order they are applied: Namespace, ResourceQuotas (storage; compute; archiver), LimitRange, NetworkPolicies,
 * ServiceAccount, Secrets, PVCs, Deployments, Services, Ingress; and the backup/restore archiver Job on demand.
 * Pure: no API calls, so the object set is unit-tested as YAML.
 *
 * <p>The plan's resources are for the instance as a whole: they are split evenly over the components (the
 * first component takes the rounding remainder) and the disk evenly over the volumes, and the namespace's
 * ResourceQuotas cap the total at exactly the plan. Each kind of object has its own builder in this package;
 * this class holds the names they share and puts the set together.
 */
public final class InstanceObjects {

    /** Name of the instance's ServiceAccount. */
    public static final String SERVICE_ACCOUNT = "berth-instance";
    /** Name of the LimitRange and of the ResourceQuota holding the plan's storage. */
    public static final String QUOTA = "berth-plan";
    /** Name of the ResourceQuota holding the plan's CPU and memory. */
    public static final String COMPUTE_QUOTA = "berth-plan-compute";
    /** Name of the ResourceQuota of the backup/restore archiver pod. */
    public static final String ARCHIVER_QUOTA = "berth-archiver";
    /** Component label value, container name and name prefix of the backup/restore archiver. */
    public static final String ARCHIVER = "berth-archiver";
    /** Where the archiver mounts each claim, as {@code <root>/<claim name>}. */
    public static final String ARCHIVER_VOLUMES = "/berth/volumes";
    /** The archiver's scratch space (an emptyDir) where a restore unpacks before it touches a claim. */
    public static final String ARCHIVER_SCRATCH = "/berth/scratch";

    private final Meta meta;
    private final NamespaceObjects namespaces;
    private final QuotaObjects quotas;
    private final DataObjects data;
    private final WorkloadObjects workloads;
    private final ServiceObjects services;

    /** A renderer for the provider configured by {@code settings}. */
    public InstanceObjects(K3sSettings settings) {
        this.meta = new Meta(settings);
        this.namespaces = new NamespaceObjects(settings, meta);
        this.quotas = new QuotaObjects(meta);
        this.data = new DataObjects(settings, meta);
        this.workloads = new WorkloadObjects(settings, meta);
        this.services = new ServiceObjects(settings, meta);
    }

    /** Name of an instance's namespace. */
    public String namespace(String instanceId) {
        return meta.namespace(instanceId);
    }

    /** Name of a component's Secret. */
    public static String secretName(String component) {
        return component + "-secrets";
    }

    /** Name of the PVC of a component's volume. */
    public static String claimName(String component, String volume) {
        return component + "-" + volume;
    }

    /** The names of the instance's claims, in render order. */
    public static List<String> claimNames(InstanceSpec spec) {
        List<String> out = new ArrayList<>();
        for (InstanceSpec.Component c : spec.components()) {
            for (ComponentSpec.Volume v : c.volumes()) {
                out.add(claimName(c.name(), v.name()));
            }
        }
        return out;
    }

    /**
     * Every object of the instance. Secrets are rendered only when {@code secrets} is given (provision and
     * upgrade carry the values; a plan change or rollback does not touch them).
     *
     * @param suspended render Deployments with 0 replicas
     */
    public List<KubernetesObject> render(InstanceSpec spec, Map<String, Map<String, SecretValue>> secrets, boolean suspended) {
        List<KubernetesObject> out = new ArrayList<>();
        out.add(namespaces.namespace(spec, suspended));
        out.add(quotas.quota(spec));
        out.add(quotas.computeQuota(spec));
        out.add(quotas.archiverQuota(spec));
        out.add(quotas.limitRange(spec));
        out.addAll(namespaces.networkPolicies(spec));
        out.add(namespaces.serviceAccount(spec));
        if (secrets != null) {
            for (InstanceSpec.Component c : spec.components()) {
                if (!c.secretKeys().isEmpty()) {
                    out.add(data.secret(spec, c, secrets.getOrDefault(c.name(), Map.of())));
                }
            }
        }
        out.addAll(data.claims(spec));
        for (int i = 0; i < spec.components().size(); i++) {
            out.add(workloads.deployment(spec, i, suspended));
        }
        for (InstanceSpec.Component c : spec.components()) {
            if (!c.ports().isEmpty()) {
                out.add(services.service(spec, c));
            }
        }
        InstanceSpec.Component http = spec.httpComponent();
        if (http != null && !http.ports().isEmpty() && spec.hostname() != null) {
            out.add(services.ingress(spec, http));
        }
        return out;
    }

    /**
     * The archiver Job of a backup or restore: one pod that mounts the instance's claims under
     * {@value #ARCHIVER_VOLUMES} (read-only for a backup) and a scratch emptyDir, and sleeps until Berth has run
     * tar in it through the API server's exec, or its deadline passes. It runs as root with only the capabilities
     * tar needs to read any file and restore owners and modes (allowed by Pod Security "baseline").
     *
     * @param name     Job name
     * @param claims   claim names to mount
     * @param readOnly mount the claims read-only
     * @param node     node to run on (where the instance's pods run, as a ReadWriteOnce claim needs), or null
     */
    public V1Job archiverJob(InstanceSpec spec, String name, List<String> claims, boolean readOnly, String node) {
        return workloads.archiverJob(spec, name, claims, readOnly, node);
    }
}
