package dev.berth.k3s.rollout;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;

import java.util.List;

/**
 * kubectl's rollout-status rule for a Deployment ({@code DeploymentStatusViewer.Status} in kubectl), with the
 * server's omitted zero counters read as 0. Unlike client-java's {@code Readiness.isDeploymentReady} it checks
 * {@code observedGeneration} and updated replicas, and a Deployment correctly scaled to 0 counts as complete.
 */
public final class Rollout {

    /** Outcome of the rule. */
    public enum State {
        /** The controller saw the current spec and every wanted replica is updated and available. */
        COMPLETE,
        /** Still rolling out (or the controller has not seen the spec yet). */
        WAITING,
        /** The Progressing condition says ProgressDeadlineExceeded. */
        FAILED
    }

    private Rollout() {
    }

    /** Applies the rule to the Deployment as last read from the server. */
    public static State of(V1Deployment d) {
        V1DeploymentStatus s = d.getStatus();
        long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        if (s == null || s.getObservedGeneration() == null || generation > s.getObservedGeneration()) {
            return State.WAITING;
        }
        if (s.getConditions() != null) {
            for (V1DeploymentCondition c : s.getConditions()) {
                if ("Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason())) {
                    return State.FAILED;
                }
            }
        }
        int wanted = d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        int updated = n(s.getUpdatedReplicas());
        if (updated < wanted) {
            return State.WAITING;
        }
        if (n(s.getReplicas()) > updated) {
            return State.WAITING;   // old replicas still terminating
        }
        if (n(s.getAvailableReplicas()) < updated) {
            return State.WAITING;
        }
        return State.COMPLETE;
    }

    /**
     * The rule over all of an instance's Deployments: FAILED when one failed, else WAITING when one waits (or there
     * are none yet), else COMPLETE.
     */
    public static State ofAll(List<V1Deployment> deployments) {
        State result = deployments.isEmpty() ? State.WAITING : State.COMPLETE;
        for (V1Deployment d : deployments) {
            State s = of(d);
            if (s == State.FAILED) {
                return s;
            }
            if (s == State.WAITING) {
                result = s;
            }
        }
        return result;
    }

    private static int n(Integer value) {
        return value == null ? 0 : value;
    }
}
