package dev.berth.k3s;

import dev.berth.k3s.kube.InstanceNamespaces;
import dev.berth.k3s.kube.KubeApi;
import dev.berth.k3s.objects.InstanceObjects;
import dev.berth.k3s.objects.InstanceSpec;
import dev.berth.k3s.objects.Labels;
import dev.berth.k3s.objects.Quantities;
import dev.berth.k3s.rollout.Rollout;
import dev.berth.k3s.rollout.Workloads;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1Service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads what the cluster holds into {@link InstanceStatus}es: one instance, or every instance Berth manages. The
 * state, version, limits and endpoint are read from the live objects, not from the stored spec, so drift shows.
 */
final class InstanceStatuses {

    private final KubeApi kube;
    private final InstanceNamespaces namespaces;
    private final Workloads workloads;

    InstanceStatuses(KubeApi kube, InstanceNamespaces namespaces, Workloads workloads) {
        this.kube = kube;
        this.namespaces = namespaces;
        this.workloads = workloads;
    }

    InstanceStatus status(String instanceId) {
        return statusOf(namespaces.existing(instanceId));
    }

    List<InstanceStatus> inventory() {
        List<InstanceStatus> out = new ArrayList<>();
        for (V1Namespace ns : kube.list(V1Namespace.class, null, Labels.MANAGED_SELECTOR)) {
            Map<String, String> annotations = ns.getMetadata().getAnnotations();
            if (ns.getMetadata().getDeletionTimestamp() != null || annotations == null || !annotations.containsKey(Labels.SPEC)) {
                continue;   // being deleted, or labelled by someone else without an instance spec
            }
            try {
                out.add(statusOf(ns));
            } catch (NotFoundException e) {
                // deleted between the list and the reads: it is not held any more
            }
        }
        out.sort(Comparator.comparing(InstanceStatus::instanceId));
        return out;
    }

    private InstanceStatus statusOf(V1Namespace ns) {
        String name = ns.getMetadata().getName();
        InstanceSpec spec = InstanceNamespaces.spec(ns);
        String id = spec.instanceId();
        List<V1Deployment> deployments = workloads.deployments(id);
        String selector = Labels.instanceSelector(id);
        List<V1Pod> pods = kube.list(V1Pod.class, name, selector);
        String target = pods.stream().map(p -> p.getSpec().getNodeName()).filter(Objects::nonNull).findFirst()
                .orElse(spec.nodeTarget());
        String version = deployments.stream()
                .filter(d -> spec.httpComponent() == null || d.getMetadata().getName().equals(spec.httpComponent().name()))
                .map(d -> d.getMetadata().getAnnotations() == null ? null : d.getMetadata().getAnnotations().get(Labels.APP_VERSION))
                .filter(Objects::nonNull).findFirst()
                .orElse(ns.getMetadata().getAnnotations().get(Labels.APP_VERSION));
        return new InstanceStatus(id, target, state(deployments), version, limits(name, deployments), endpoint(name, spec));
    }

    private static RuntimeState state(List<V1Deployment> deployments) {
        if (deployments.isEmpty()) {
            return RuntimeState.STARTING;
        }
        long stopped = deployments.stream().filter(d -> d.getSpec().getReplicas() != null && d.getSpec().getReplicas() == 0).count();
        if (stopped == deployments.size()) {
            return RuntimeState.STOPPED;
        }
        if (stopped > 0) {
            return RuntimeState.DEGRADED;
        }
        return switch (Rollout.ofAll(deployments)) {
            case COMPLETE -> RuntimeState.RUNNING;
            case FAILED -> RuntimeState.DEGRADED;
            case WAITING -> RuntimeState.STARTING;
        };
    }

    /** The limits the cluster enforces: the containers' requests and limits summed, and the quota's storage. */
    private ResourceLimits limits(String ns, List<V1Deployment> deployments) {
        long cpuRequest = 0;
        long cpuLimit = 0;
        long memoryRequest = 0;
        long memoryLimit = 0;
        for (V1Deployment d : deployments) {
            for (V1Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                if (c.getResources() == null) {
                    continue;
                }
                var requests = c.getResources().getRequests();
                var limits = c.getResources().getLimits();
                if (requests != null) {
                    cpuRequest += Quantities.millis(requests.get("cpu"));
                    memoryRequest += Quantities.bytes(requests.get("memory"));
                }
                if (limits != null) {
                    cpuLimit += Quantities.millis(limits.get("cpu"));
                    memoryLimit += Quantities.bytes(limits.get("memory"));
                }
            }
        }
        long disk = kube.get(V1ResourceQuota.class, ns, InstanceObjects.QUOTA)
                .map(q -> q.getSpec() == null || q.getSpec().getHard() == null ? 0L : Quantities.bytes(q.getSpec().getHard().get("requests.storage")))
                .orElse(0L);
        try {
            return new ResourceLimits(cpuRequest, cpuLimit, memoryRequest, memoryLimit, disk);
        } catch (InvalidSpecException e) {
            return null;   // something unset or edited into an impossible shape: no limits to report
        }
    }

    private String endpoint(String ns, InstanceSpec spec) {
        InstanceSpec.Component http = spec.httpComponent();
        if (http == null || http.ports().isEmpty()) {
            return null;
        }
        return kube.get(V1Service.class, ns, http.name())
                .map(s -> s.getSpec() == null ? null : s.getSpec().getClusterIP())
                .filter(ip -> !ip.isBlank() && !"None".equals(ip))
                .map(ip -> ip + ":" + http.ports().get(0).containerPort())
                .orElse(null);
    }
}
