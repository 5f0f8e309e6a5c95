package dev.berth.k3s;

import dev.berth.k3s.kube.InstanceNamespaces;
import dev.berth.k3s.kube.KubeApi;
import dev.berth.k3s.objects.InstanceObjects;
import dev.berth.k3s.objects.InstanceSpec;
import dev.berth.k3s.objects.Labels;
import dev.berth.k3s.rollout.Rollout;
import dev.berth.k3s.rollout.Workloads;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.wait.Poll;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The verbs that change an instance: provision, plan change and upgrade write the rendered object set by
 * server-side apply; suspend and resume scale the Deployments; terminate deletes the namespace and waits until it
 * is gone. Each verb that returns a status reads it back from the cluster afterwards.
 */
final class Lifecycle {

    // under the provider's name, as before the split: log configurations select it
    private static final Logger log = LoggerFactory.getLogger(K3sProvider.class);

    private final K3sSettings settings;
    private final KubeApi kube;
    private final InstanceObjects objects;
    private final InstanceNamespaces namespaces;
    private final Workloads workloads;
    private final InstanceStatuses statuses;

    Lifecycle(K3sSettings settings, KubeApi kube, InstanceObjects objects, InstanceNamespaces namespaces,
              Workloads workloads, InstanceStatuses statuses) {
        this.settings = settings;
        this.kube = kube;
        this.objects = objects;
        this.namespaces = namespaces;
        this.workloads = workloads;
        this.statuses = statuses;
    }

    InstanceStatus provision(ProvisionRequest request) {
        InstanceSpec spec = InstanceSpec.of(request);
        kube.get(V1Namespace.class, null, objects.namespace(spec.instanceId())).ifPresent(Lifecycle::refuseWhileTerminating);
        applyAll(spec, secrets(request), false);
        log.info("provisioned instance {} in namespace {}", spec.instanceId(), objects.namespace(spec.instanceId()));
        return statuses.status(spec.instanceId());
    }

    void suspend(String instanceId) {
        String ns = namespaces.existing(instanceId).getMetadata().getName();
        kube.mergePatch(V1Namespace.class, null, ns, "{\"metadata\":{\"annotations\":{\"" + Labels.SUSPENDED + "\":\"true\"}}}");
        workloads.scaleTo(instanceId, 0);
        log.info("suspended instance {}", instanceId);
    }

    void resume(String instanceId) {
        String ns = namespaces.existing(instanceId).getMetadata().getName();
        kube.mergePatch(V1Namespace.class, null, ns, "{\"metadata\":{\"annotations\":{\"" + Labels.SUSPENDED + "\":\"false\"}}}");
        workloads.scaleTo(instanceId, 1);
        Rollout.State state = workloads.awaitRollout(instanceId);
        if (state != Rollout.State.COMPLETE) {
            throw new UnavailableException("instance " + instanceId + ": resumed, but the rollout is " + state
                    + " after " + settings.rolloutTimeout());
        }
        log.info("resumed instance {}", instanceId);
    }

    InstanceStatus changePlan(String instanceId, ResourceLimits limits) {
        V1Namespace ns = namespaces.existing(instanceId);
        InstanceSpec spec = InstanceNamespaces.spec(ns).withResources(limits);
        applyAll(spec, null, InstanceNamespaces.suspended(ns));
        log.info("applied new limits to instance {}", instanceId);
        return statuses.status(instanceId);
    }

    /** Applies the new spec and waits for its rollout; one that fails is rolled back to the previous spec. */
    InstanceStatus upgrade(ProvisionRequest request) {
        V1Namespace ns = namespaces.existing(request.instanceId());
        InstanceSpec previous = InstanceNamespaces.spec(ns);
        InstanceSpec next = InstanceSpec.of(request);
        boolean suspended = InstanceNamespaces.suspended(ns);
        applyAll(next, secrets(request), suspended);
        Rollout.State state = workloads.awaitRollout(request.instanceId());
        if (state != Rollout.State.COMPLETE) {
            log.warn("upgrade of instance {} to {} did not roll out ({}); rolling back to {}", request.instanceId(),
                    next.appVersion(), state, previous.appVersion());
            applyAll(previous, null, suspended);
            Rollout.State back = workloads.awaitRollout(request.instanceId());
            throw new BerthException("instance " + request.instanceId() + ": upgrade to " + next.appVersion() + " failed ("
                    + state + "); rolled back to " + previous.appVersion() + " (rollback " + back + ")", false);
        }
        log.info("upgraded instance {} to {}", request.instanceId(), next.appVersion());
        return statuses.status(request.instanceId());
    }

    void terminate(String instanceId) {
        String ns = objects.namespace(instanceId);
        kube.delete(V1Namespace.class, null, ns);
        Poll.every(Workloads.POLL).atMost(settings.terminateTimeout())
                .untilTrue(() -> kube.get(V1Namespace.class, null, ns).isEmpty(),
                        () -> new UnavailableException("instance " + instanceId + ": namespace " + ns + " still terminating after "
                                + settings.terminateTimeout()));
        log.info("terminated instance {}", instanceId);
    }

    private void applyAll(InstanceSpec spec, Map<String, Map<String, SecretValue>> secrets, boolean suspended) {
        for (KubernetesObject object : objects.render(spec, secrets, suspended)) {
            if (object instanceof V1PersistentVolumeClaim claim && kube.get(V1PersistentVolumeClaim.class,
                    claim.getMetadata().getNamespace(), claim.getMetadata().getName()).isPresent()) {
                // a claim's spec is immutable once created (only a bound claim may grow, where the storage class
                // allows it): the plan's disk change is enforced by the ResourceQuota instead
                continue;
            }
            kube.apply(object);
        }
    }

    private static Map<String, Map<String, SecretValue>> secrets(ProvisionRequest request) {
        Map<String, Map<String, SecretValue>> out = new LinkedHashMap<>();
        for (ComponentSpec c : request.components()) {
            out.put(c.name(), c.secretEnv());
        }
        return out;
    }

    private static void refuseWhileTerminating(V1Namespace ns) {
        if (ns.getMetadata().getDeletionTimestamp() != null) {
            throw new ConflictException("namespace " + ns.getMetadata().getName() + " is still being deleted; retry later");
        }
    }
}
