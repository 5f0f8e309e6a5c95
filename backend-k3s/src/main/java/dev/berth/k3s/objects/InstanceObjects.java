package dev.berth.k3s.objects;

import dev.berth.k3s.K3sSettings;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.SecretValue;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Capabilities;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStrategy;
import io.kubernetes.client.openapi.models.V1EmptyDirVolumeSource;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1EnvVarSource;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1HTTPIngressPath;
import io.kubernetes.client.openapi.models.V1HTTPIngressRuleValue;
import io.kubernetes.client.openapi.models.V1IPBlock;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressBackend;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.kubernetes.client.openapi.models.V1IngressServiceBackend;
import io.kubernetes.client.openapi.models.V1IngressSpec;
import io.kubernetes.client.openapi.models.V1IngressTLS;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1LimitRangeItem;
import io.kubernetes.client.openapi.models.V1LimitRangeSpec;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyEgressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyIngressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPort;
import io.kubernetes.client.openapi.models.V1NetworkPolicySpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimSpec;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimVolumeSource;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1SeccompProfile;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1ServiceBackendPort;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1TCPSocketAction;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.kubernetes.client.openapi.models.V1VolumeResourceRequirements;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders the Kubernetes objects of one instance from its {@link InstanceSpec} and the provider's settings, in
 * the order they are applied: Namespace, ResourceQuotas (storage; compute; archiver), LimitRange, NetworkPolicies,
 * ServiceAccount, Secrets, PVCs, Deployments, Services, Ingress; and the backup/restore archiver Job on demand.
 * Pure: no API calls, so the object set is unit-tested as YAML.
 *
 * <p>The plan's resources are for the instance as a whole: they are split evenly over the components (the
 * first component takes the rounding remainder) and the disk evenly over the volumes, and the namespace's
 * ResourceQuotas cap the total at exactly the plan.
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
    private static final long ARCHIVER_CPU_MILLIS = 500;
    private static final long ARCHIVER_MEMORY_BYTES = 256 * ResourceLimits.MIB;
    // the capabilities tar needs as root to read every file and put owners and modes back; all in Pod Security baseline
    private static final List<String> ARCHIVER_CAPABILITIES = List.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID");
    private static final String[] PRIVATE_RANGES = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"};
    private static final int PROBE_PERIOD_SECONDS = 5;

    private final K3sSettings settings;

    public InstanceObjects(K3sSettings settings) {
        this.settings = settings;
    }

    /** Name of an instance's namespace. */
    public String namespace(String instanceId) {
        String name = settings.namespacePrefix() + instanceId.toLowerCase(java.util.Locale.ROOT).replace('_', '-').replace('.', '-');
        InstanceSpec.dnsLabel("instanceId", name);
        return name;
    }

    /** Name of a component's Secret. */
    public static String secretName(String component) {
        return component + "-secrets";
    }

    /** Name of the PVC of a component's volume. */
    public static String claimName(String component, String volume) {
        return component + "-" + volume;
    }

    /**
     * Every object of the instance. Secrets are rendered only when {@code secrets} is given (provision and
     * upgrade carry the values; a plan change or rollback does not touch them).
     *
     * @param suspended render Deployments with 0 replicas
     */
    public List<KubernetesObject> render(InstanceSpec spec, Map<String, Map<String, SecretValue>> secrets, boolean suspended) {
        List<KubernetesObject> out = new ArrayList<>();
        out.add(namespaceObject(spec, suspended));
        out.add(quota(spec));
        out.add(computeQuota(spec));
        out.add(archiverQuota(spec));
        out.add(limitRange(spec));
        out.addAll(networkPolicies(spec));
        out.add(serviceAccount(spec));
        if (secrets != null) {
            for (InstanceSpec.Component c : spec.components()) {
                if (!c.secretKeys().isEmpty()) {
                    out.add(secret(spec, c, secrets.getOrDefault(c.name(), Map.of())));
                }
            }
        }
        out.addAll(claims(spec));
        for (int i = 0; i < spec.components().size(); i++) {
            out.add(deployment(spec, i, suspended));
        }
        for (InstanceSpec.Component c : spec.components()) {
            if (!c.ports().isEmpty()) {
                out.add(service(spec, c));
            }
        }
        InstanceSpec.Component http = spec.httpComponent();
        if (http != null && !http.ports().isEmpty() && spec.hostname() != null) {
            out.add(ingress(spec, http));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ namespace level

    V1Namespace namespaceObject(InstanceSpec spec, boolean suspended) {
        Map<String, String> labels = labels(spec, null);
        labels.put("pod-security.kubernetes.io/enforce", settings.podSecurity());
        labels.put("pod-security.kubernetes.io/warn", "restricted");
        labels.put("pod-security.kubernetes.io/audit", "restricted");
        Map<String, String> annotations = new TreeMap<>();
        annotations.put(Labels.SPEC, spec.toJson());
        annotations.put(Labels.APP_VERSION, spec.appVersion());
        annotations.put(Labels.SUSPENDED, Boolean.toString(suspended));
        return new V1Namespace().apiVersion("v1").kind("Namespace")
                .metadata(new V1ObjectMeta().name(namespace(spec.instanceId())).labels(labels).annotations(annotations));
    }

    /**
     * The plan's storage and service caps. It is named like the quota of earlier versions (which also held the
     * compute caps), so applying it to an existing instance converges instead of leaving a stale object.
     */
    V1ResourceQuota quota(InstanceSpec spec) {
        ResourceLimits r = spec.resources();
        Map<String, Quantity> hard = new TreeMap<>();
        hard.put("requests.storage", Quantities.bytes(r.diskBytes()));
        hard.put("persistentvolumeclaims", new Quantity(Integer.toString(volumeCount(spec))));
        hard.put("services.loadbalancers", new Quantity("0"));
        hard.put("services.nodeports", new Quantity("0"));
        return new V1ResourceQuota().apiVersion("v1").kind("ResourceQuota")
                .metadata(meta(spec, QUOTA, null)).spec(new V1ResourceQuotaSpec().hard(hard));
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
                .metadata(meta(spec, COMPUTE_QUOTA, null))
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
                .metadata(meta(spec, ARCHIVER_QUOTA, null))
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
                .metadata(meta(spec, QUOTA, null)).spec(new V1LimitRangeSpec().limits(List.of(container, claim)));
    }

    List<V1NetworkPolicy> networkPolicies(InstanceSpec spec) {
        List<V1NetworkPolicy> out = new ArrayList<>();
        V1LabelSelector all = new V1LabelSelector();
        out.add(policy(spec, "default-deny", new V1NetworkPolicySpec().podSelector(all)
                .policyTypes(List.of("Ingress", "Egress"))));
        V1NetworkPolicyPeer dns = new V1NetworkPolicyPeer()
                .namespaceSelector(namespaceSelector(settings.dnsNamespace()))
                .podSelector(new V1LabelSelector().matchLabels(new TreeMap<>(settings.dnsPodLabels())));
        out.add(policy(spec, "allow-dns", new V1NetworkPolicySpec().podSelector(all).policyTypes(List.of("Egress"))
                .egress(List.of(new V1NetworkPolicyEgressRule().to(List.of(dns)).ports(List.of(
                        new V1NetworkPolicyPort().protocol("UDP").port(new IntOrString(53)),
                        new V1NetworkPolicyPort().protocol("TCP").port(new IntOrString(53))))))));
        V1NetworkPolicyPeer sameNamespace = new V1NetworkPolicyPeer().podSelector(new V1LabelSelector());
        out.add(policy(spec, "allow-same-instance", new V1NetworkPolicySpec().podSelector(all)
                .policyTypes(List.of("Ingress", "Egress"))
                .ingress(List.of(new V1NetworkPolicyIngressRule().from(List.of(sameNamespace))))
                .egress(List.of(new V1NetworkPolicyEgressRule().to(List.of(sameNamespace))))));
        InstanceSpec.Component http = spec.httpComponent();
        if (http != null && !http.ports().isEmpty()) {
            V1NetworkPolicyPeer ingressController = new V1NetworkPolicyPeer()
                    .namespaceSelector(namespaceSelector(settings.ingressNamespace()))
                    .podSelector(new V1LabelSelector().matchLabels(new TreeMap<>(settings.ingressPodLabels())));
            out.add(policy(spec, "allow-from-ingress", new V1NetworkPolicySpec()
                    .podSelector(new V1LabelSelector().matchLabels(Map.of(Labels.COMPONENT, http.name())))
                    .policyTypes(List.of("Ingress"))
                    .ingress(List.of(new V1NetworkPolicyIngressRule().from(List.of(ingressController))
                            .ports(List.of(new V1NetworkPolicyPort().protocol("TCP")
                                    .port(new IntOrString(http.ports().get(0).containerPort()))))))));
        }
        if (settings.internetEgress()) {
            out.add(policy(spec, "allow-internet-egress", new V1NetworkPolicySpec().podSelector(all)
                    .policyTypes(List.of("Egress"))
                    .egress(List.of(new V1NetworkPolicyEgressRule().to(List.of(new V1NetworkPolicyPeer()
                            .ipBlock(new V1IPBlock().cidr("0.0.0.0/0").except(List.of(PRIVATE_RANGES)))))))));
        }
        return out;
    }

    private V1NetworkPolicy policy(InstanceSpec spec, String name, V1NetworkPolicySpec body) {
        return new V1NetworkPolicy().apiVersion("networking.k8s.io/v1").kind("NetworkPolicy")
                .metadata(meta(spec, name, null)).spec(body);
    }

    // namespaces are matched by the immutable name label the API server (1.21+) puts on every namespace
    private static V1LabelSelector namespaceSelector(String namespace) {
        return new V1LabelSelector().matchLabels(Map.of("kubernetes.io/metadata.name", namespace));
    }

    V1ServiceAccount serviceAccount(InstanceSpec spec) {
        return new V1ServiceAccount().apiVersion("v1").kind("ServiceAccount")
                .metadata(meta(spec, SERVICE_ACCOUNT, null)).automountServiceAccountToken(false);
    }

    V1Secret secret(InstanceSpec spec, InstanceSpec.Component c, Map<String, SecretValue> values) {
        Map<String, byte[]> data = new TreeMap<>();
        for (String key : c.secretKeys()) {
            SecretValue v = values.get(key);
            if (v == null) {
                throw new dev.berth.spi.error.InvalidSpecException("components[" + c.name() + "].secretEnv." + key,
                        "has no value");
            }
            data.put(key, v.reveal().getBytes(StandardCharsets.UTF_8));
        }
        // data (not stringData): stringData is write-only, so applying it again would never read back as unchanged
        return new V1Secret().apiVersion("v1").kind("Secret").type("Opaque")
                .metadata(meta(spec, secretName(c.name()), c.name())).data(data);
    }

    List<V1PersistentVolumeClaim> claims(InstanceSpec spec) {
        List<V1PersistentVolumeClaim> out = new ArrayList<>();
        int n = volumeCount(spec);
        int index = 0;
        for (InstanceSpec.Component c : spec.components()) {
            for (ComponentSpec.Volume v : c.volumes()) {
                long size = share(spec.resources().diskBytes(), n, index++ == 0 ? 0 : 1);
                out.add(new V1PersistentVolumeClaim().apiVersion("v1").kind("PersistentVolumeClaim")
                        .metadata(meta(spec, claimName(c.name(), v.name()), c.name()))
                        .spec(new V1PersistentVolumeClaimSpec().accessModes(List.of("ReadWriteOnce"))
                                .storageClassName(settings.storageClass())
                                .resources(new V1VolumeResourceRequirements().requests(resources("storage", Quantities.bytes(size))))));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ workloads

    V1Deployment deployment(InstanceSpec spec, int index, boolean suspended) {
        InstanceSpec.Component c = spec.components().get(index);
        ResourceLimits r = spec.resources();
        int n = spec.components().size();
        int part = index == 0 ? 0 : 1;
        Map<String, String> selector = new TreeMap<>(Map.of(Labels.INSTANCE, spec.instanceId(), Labels.COMPONENT, c.name()));
        Long uid = nonRootUid(c.image());

        V1Container container = new V1Container().name(c.name()).image(c.image()).imagePullPolicy("IfNotPresent")
                .resources(new V1ResourceRequirements()
                        .requests(resources("cpu", Quantities.cpu(share(r.cpuRequestMillis(), n, part)),
                                "memory", Quantities.bytes(share(r.memoryRequestBytes(), n, part))))
                        .limits(resources("cpu", Quantities.cpu(share(r.cpuLimitMillis(), n, part)),
                                "memory", Quantities.bytes(share(r.memoryLimitBytes(), n, part)))))
                .securityContext(containerSecurity(uid));
        for (ComponentSpec.Port p : c.ports()) {
            container.addPortsItem(new V1ContainerPort().name(p.name()).containerPort(p.containerPort()).protocol("TCP"));
        }
        c.env().forEach((k, v) -> container.addEnvItem(new V1EnvVar().name(k).value(v)));
        for (String key : c.secretKeys()) {
            container.addEnvItem(new V1EnvVar().name(key).valueFrom(new V1EnvVarSource()
                    .secretKeyRef(new V1SecretKeySelector().name(secretName(c.name())).key(key))));
        }
        List<V1Volume> volumes = new ArrayList<>();
        for (ComponentSpec.Volume v : c.volumes()) {
            container.addVolumeMountsItem(new V1VolumeMount().name(v.name()).mountPath(v.path()));
            volumes.add(new V1Volume().name(v.name()).persistentVolumeClaim(
                    new V1PersistentVolumeClaimVolumeSource().claimName(claimName(c.name(), v.name()))));
        }
        if (c.readiness() != null) {
            // the template's timeout is the time to the first success (migrations on first start): the
            // startup probe carries it, readiness and liveness then run at a steady pace
            container.startupProbe(probe(c.readiness()).failureThreshold(
                    (int) Math.max(1, (c.readiness().timeoutSeconds() + PROBE_PERIOD_SECONDS - 1) / PROBE_PERIOD_SECONDS)));
            container.readinessProbe(probe(c.readiness()).failureThreshold(3));
            container.livenessProbe(probe(c.readiness()).failureThreshold(6));
        }
        V1PodSecurityContext podSecurity = new V1PodSecurityContext()
                .seccompProfile(new V1SeccompProfile().type("RuntimeDefault"));
        if (uid != null) {
            podSecurity.runAsNonRoot(true).runAsUser(uid).runAsGroup(uid).fsGroup(uid);
        }
        V1PodSpec pod = new V1PodSpec().serviceAccountName(SERVICE_ACCOUNT).automountServiceAccountToken(false)
                .enableServiceLinks(false).securityContext(podSecurity).containers(List.of(container));
        if (!volumes.isEmpty()) {
            pod.volumes(volumes);
        }
        Map<String, String> nodeSelector = nodeSelector(spec);
        if (!nodeSelector.isEmpty()) {
            pod.nodeSelector(nodeSelector);
        }
        Map<String, String> podLabels = labels(spec, c.name());
        return new V1Deployment().apiVersion("apps/v1").kind("Deployment")
                .metadata(meta(spec, c.name(), c.name()).annotations(new TreeMap<>(Map.of(Labels.APP_VERSION, spec.appVersion()))))
                .spec(new V1DeploymentSpec().replicas(suspended ? 0 : 1).revisionHistoryLimit(2)
                        .progressDeadlineSeconds((int) settings.progressDeadline().toSeconds())
                        // a volume is ReadWriteOnce: the old pod must be gone before the new one mounts it
                        .strategy(new V1DeploymentStrategy().type("Recreate"))
                        .selector(new V1LabelSelector().matchLabels(selector))
                        .template(new V1PodTemplateSpec()
                                .metadata(new V1ObjectMeta().labels(podLabels)
                                        .annotations(new TreeMap<>(Map.of(Labels.APP_VERSION, spec.appVersion()))))
                                .spec(pod)));
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
        long deadline = settings.archiverTimeout().toSeconds();
        V1Container container = new V1Container().name(ARCHIVER).image(settings.archiverImage()).imagePullPolicy("IfNotPresent")
                .command(List.of("sleep", Long.toString(deadline)))
                .resources(archiverResources(spec))
                .securityContext(new V1SecurityContext().allowPrivilegeEscalation(false).runAsUser(0L)
                        .capabilities(new V1Capabilities().drop(List.of("ALL")).add(ARCHIVER_CAPABILITIES)));
        List<V1Volume> volumes = new ArrayList<>();
        for (String claim : claims) {
            container.addVolumeMountsItem(new V1VolumeMount().name(claim).mountPath(ARCHIVER_VOLUMES + "/" + claim).readOnly(readOnly));
            volumes.add(new V1Volume().name(claim).persistentVolumeClaim(
                    new V1PersistentVolumeClaimVolumeSource().claimName(claim).readOnly(readOnly)));
        }
        container.addVolumeMountsItem(new V1VolumeMount().name("scratch").mountPath(ARCHIVER_SCRATCH));
        // medium "" (node disk) spelled out: an empty emptyDir object would be pruned from the apply body
        volumes.add(new V1Volume().name("scratch").emptyDir(new V1EmptyDirVolumeSource().medium("")));
        Map<String, String> nodeSelector = nodeSelector(spec);
        if (node != null) {
            nodeSelector.put("kubernetes.io/hostname", node);
        }
        V1PodSpec pod = new V1PodSpec().serviceAccountName(SERVICE_ACCOUNT).automountServiceAccountToken(false)
                .enableServiceLinks(false).restartPolicy("Never")
                // the deadline makes it a "Terminating" pod: it counts against the archiver quota, not the plan's
                .activeDeadlineSeconds(deadline)
                .securityContext(new V1PodSecurityContext().seccompProfile(new V1SeccompProfile().type("RuntimeDefault")))
                .containers(List.of(container)).volumes(volumes);
        if (!nodeSelector.isEmpty()) {
            pod.nodeSelector(nodeSelector);
        }
        return new V1Job().apiVersion("batch/v1").kind("Job").metadata(meta(spec, name, ARCHIVER))
                .spec(new V1JobSpec().backoffLimit(0).activeDeadlineSeconds(deadline)
                        .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(labels(spec, ARCHIVER))).spec(pod)));
    }

    /** The archiver's size: small requests, limits capped by the plan's (the LimitRange's maximum). */
    private static V1ResourceRequirements archiverResources(InstanceSpec spec) {
        ResourceLimits r = spec.resources();
        long cpuLimit = Math.min(ARCHIVER_CPU_MILLIS, r.cpuLimitMillis());
        long memoryLimit = Math.min(ARCHIVER_MEMORY_BYTES, r.memoryLimitBytes());
        return new V1ResourceRequirements()
                .requests(resources("cpu", Quantities.cpu(Math.min(10, cpuLimit)),
                        "memory", Quantities.bytes(Math.min(32 * ResourceLimits.MIB, memoryLimit))))
                .limits(resources("cpu", Quantities.cpu(cpuLimit), "memory", Quantities.bytes(memoryLimit)));
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

    private static V1SecurityContext containerSecurity(Long uid) {
        V1SecurityContext s = new V1SecurityContext().allowPrivilegeEscalation(false);
        if (uid != null) {
            s.runAsNonRoot(true).runAsUser(uid).capabilities(new V1Capabilities().drop(List.of("ALL")));
        }
        return s;
    }

    private static V1Probe probe(InstanceSpec.Probe p) {
        V1Probe probe = new V1Probe().periodSeconds(PROBE_PERIOD_SECONDS).timeoutSeconds(3);
        if (p.path() != null) {
            probe.httpGet(new V1HTTPGetAction().path(p.path()).port(new IntOrString(p.port())));
        } else {
            probe.tcpSocket(new V1TCPSocketAction().port(new IntOrString(p.port())));
        }
        return probe;
    }

    private Long nonRootUid(String image) {
        String name = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        for (Map.Entry<String, Long> e : settings.nonRootImages().entrySet()) {
            if (name.startsWith(e.getKey()) || name.contains("/" + e.getKey())) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The node selector of the instance's pods: node-class labels of the Berth node, and its host name when pinned. */
    Map<String, String> nodeSelector(InstanceSpec spec) {
        Map<String, String> out = new TreeMap<>();
        for (String key : settings.nodeClassLabels()) {
            String value = spec.nodeLabels().get(key);
            if (value != null) {
                out.put(key, value);
            }
        }
        if (settings.pinToNode() && spec.nodeTarget() != null) {
            out.put("kubernetes.io/hostname", spec.nodeTarget());
        }
        return out;
    }

    V1Service service(InstanceSpec spec, InstanceSpec.Component c) {
        List<V1ServicePort> ports = c.ports().stream().map(p -> new V1ServicePort().name(p.name()).protocol("TCP")
                .port(p.containerPort()).targetPort(new IntOrString(p.containerPort()))).toList();
        return new V1Service().apiVersion("v1").kind("Service").metadata(meta(spec, c.name(), c.name()))
                .spec(new V1ServiceSpec().type("ClusterIP").ports(ports)
                        .selector(new TreeMap<>(Map.of(Labels.INSTANCE, spec.instanceId(), Labels.COMPONENT, c.name()))));
    }

    V1Ingress ingress(InstanceSpec spec, InstanceSpec.Component http) {
        Map<String, String> annotations = new TreeMap<>();
        V1IngressSpec body = new V1IngressSpec().ingressClassName(settings.ingressClass())
                .rules(List.of(new V1IngressRule().host(spec.hostname()).http(new V1HTTPIngressRuleValue().paths(List.of(
                        new V1HTTPIngressPath().path("/").pathType("Prefix").backend(new V1IngressBackend().service(
                                new V1IngressServiceBackend().name(http.name()).port(
                                        new V1ServiceBackendPort().number(http.ports().get(0).containerPort())))))))));
        if (settings.tls()) {
            body.tls(List.of(new V1IngressTLS().hosts(List.of(spec.hostname())).secretName(spec.slug() + "-tls")));
            annotations.put("traefik.ingress.kubernetes.io/router.entrypoints", "websecure");
            annotations.put("traefik.ingress.kubernetes.io/router.tls", "true");
            if (settings.clusterIssuer() != null) {
                annotations.put("cert-manager.io/cluster-issuer", settings.clusterIssuer());
            }
        }
        V1ObjectMeta meta = meta(spec, spec.slug(), http.name());
        if (!annotations.isEmpty()) {
            meta.annotations(annotations);
        }
        return new V1Ingress().apiVersion("networking.k8s.io/v1").kind("Ingress").metadata(meta).spec(body);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private V1ObjectMeta meta(InstanceSpec spec, String name, String component) {
        return new V1ObjectMeta().name(name).namespace(namespace(spec.instanceId())).labels(labels(spec, component));
    }

    private static Map<String, String> labels(InstanceSpec spec, String component) {
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
    private static Map<String, Quantity> resources(String k1, Quantity v1) {
        return new TreeMap<>(Map.of(k1, v1));
    }

    private static Map<String, Quantity> resources(String k1, Quantity v1, String k2, Quantity v2) {
        return new TreeMap<>(Map.of(k1, v1, k2, v2));
    }

    private static int volumeCount(InstanceSpec spec) {
        return spec.components().stream().mapToInt(c -> c.volumes().size()).sum();
    }

    /** One of {@code n} shares of {@code total}: part 0 carries the rounding remainder, so the shares sum to the total. */
    static long share(long total, int n, int part) {
        long base = total / n;
        return part == 0 ? base + total % n : base;
    }
}
