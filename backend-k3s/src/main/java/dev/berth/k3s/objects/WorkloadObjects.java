package dev.berth.k3s.objects;

import dev.berth.k3s.K3sSettings;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.ResourceLimits;
import io.kubernetes.client.custom.IntOrString;
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
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimVolumeSource;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1SeccompProfile;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1TCPSocketAction;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.berth.k3s.objects.InstanceObjects.ARCHIVER;
import static dev.berth.k3s.objects.InstanceObjects.ARCHIVER_SCRATCH;
import static dev.berth.k3s.objects.InstanceObjects.ARCHIVER_VOLUMES;
import static dev.berth.k3s.objects.InstanceObjects.SERVICE_ACCOUNT;
import static dev.berth.k3s.objects.Meta.resources;
import static dev.berth.k3s.objects.Meta.share;

/**
 * What runs in the instance's namespace: one Deployment per component (its share of the plan, probes, a
 * hardened security context) and, on demand, the backup/restore archiver Job.
 */
final class WorkloadObjects {

    // the capabilities tar needs as root to read every file and put owners and modes back; all in Pod Security baseline
    private static final List<String> ARCHIVER_CAPABILITIES = List.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID");
    private static final int PROBE_PERIOD_SECONDS = 5;

    private final K3sSettings settings;
    private final Meta meta;

    WorkloadObjects(K3sSettings settings, Meta meta) {
        this.settings = settings;
        this.meta = meta;
    }

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
                    .secretKeyRef(new V1SecretKeySelector().name(InstanceObjects.secretName(c.name())).key(key))));
        }
        List<V1Volume> volumes = new ArrayList<>();
        for (ComponentSpec.Volume v : c.volumes()) {
            container.addVolumeMountsItem(new V1VolumeMount().name(v.name()).mountPath(v.path()));
            volumes.add(new V1Volume().name(v.name()).persistentVolumeClaim(
                    new V1PersistentVolumeClaimVolumeSource().claimName(InstanceObjects.claimName(c.name(), v.name()))));
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
        Map<String, String> podLabels = Meta.labels(spec, c.name());
        return new V1Deployment().apiVersion("apps/v1").kind("Deployment")
                .metadata(meta.of(spec, c.name(), c.name()).annotations(new TreeMap<>(Map.of(Labels.APP_VERSION, spec.appVersion()))))
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

    /** See {@link InstanceObjects#archiverJob}. */
    V1Job archiverJob(InstanceSpec spec, String name, List<String> claims, boolean readOnly, String node) {
        long deadline = settings.archiverTimeout().toSeconds();
        V1Container container = new V1Container().name(ARCHIVER).image(settings.archiverImage()).imagePullPolicy("IfNotPresent")
                .command(List.of("sleep", Long.toString(deadline)))
                .resources(QuotaObjects.archiverResources(spec))
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
        return new V1Job().apiVersion("batch/v1").kind("Job").metadata(meta.of(spec, name, ARCHIVER))
                .spec(new V1JobSpec().backoffLimit(0).activeDeadlineSeconds(deadline)
                        .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(Meta.labels(spec, ARCHIVER))).spec(pod)));
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
    private Map<String, String> nodeSelector(InstanceSpec spec) {
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
}
