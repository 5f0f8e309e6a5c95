package dev.berth.k3s.rollout;

import dev.berth.k3s.K3sSettings;
import dev.berth.k3s.kube.KubeApi;
import dev.berth.k3s.objects.InstanceObjects;
import dev.berth.k3s.objects.Labels;
import dev.berth.spi.wait.Poll;
import io.kubernetes.client.openapi.models.V1Deployment;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An instance's Deployments as they run: listed, scaled, and watched until their rollout settles. Suspend, resume,
 * upgrade and restore all start and stop the app through here.
 */
public final class Workloads {

    /** How often Berth looks at the cluster again while it waits for it. */
    public static final Duration POLL = Duration.ofMillis(500);

    private final KubeApi kube;
    private final InstanceObjects objects;
    private final K3sSettings settings;

    /** Workloads seen through {@code kube}, waiting at most the settings' rollout timeout. */
    public Workloads(KubeApi kube, InstanceObjects objects, K3sSettings settings) {
        this.kube = kube;
        this.objects = objects;
        this.settings = settings;
    }

    /** The instance's Deployments (Berth's, by label), as the server has them now. */
    public List<V1Deployment> deployments(String instanceId) {
        return kube.list(V1Deployment.class, objects.namespace(instanceId), Labels.instanceSelector(instanceId));
    }

    /** Sets every Deployment's replicas with a merge patch (no resourceVersion, so it never races a controller). */
    public void scaleTo(String instanceId, int replicas) {
        String ns = objects.namespace(instanceId);
        for (V1Deployment d : deployments(instanceId)) {
            kube.mergePatch(V1Deployment.class, ns, d.getMetadata().getName(), "{\"spec\":{\"replicas\":" + replicas + "}}");
        }
    }

    /**
     * Waits until the rollout is no longer {@link Rollout.State#WAITING}, or the rollout timeout passes, and returns
     * the state then: a timeout is not an error here, each caller decides what a rollout still under way means.
     */
    public Rollout.State awaitRollout(String instanceId) {
        try {
            return Poll.every(POLL).atMost(settings.rolloutTimeout()).until(() -> {
                Rollout.State state = Rollout.ofAll(deployments(instanceId));
                return state == Rollout.State.WAITING ? Optional.empty() : Optional.of(state);
            }, StillWaiting::new);
        } catch (StillWaiting e) {
            return Rollout.State.WAITING;
        }
    }

    /** The end of {@link #awaitRollout}'s poll without a settled state; never leaves this class. */
    private static final class StillWaiting extends RuntimeException {
        StillWaiting() {
            super(null, null, false, false);
        }
    }
}
