package dev.berth.k3s.rollout;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** kubectl's rollout-status rule, case by case (the server omits zero counters, so null means 0). */
class RolloutTest {

    @Test
    void completeWhenTheCurrentSpecIsObservedAndEveryReplicaIsUpdatedAndAvailable() {
        assertThat(Rollout.of(deployment(2, 1, status(2, 1, 1, 1)))).isEqualTo(Rollout.State.COMPLETE);
    }

    @Test
    void waitingUntilTheControllerHasSeenTheSpec() {
        assertThat(Rollout.of(deployment(3, 1, status(2, 1, 1, 1)))).isEqualTo(Rollout.State.WAITING);
        assertThat(Rollout.of(deployment(1, 1, null))).isEqualTo(Rollout.State.WAITING);
    }

    @Test
    void waitingWhileReplicasAreNotUpdatedOrOldOnesRemainOrNewOnesAreUnavailable() {
        assertThat(Rollout.of(deployment(2, 1, status(2, 1, 0, 0)))).as("not updated").isEqualTo(Rollout.State.WAITING);
        assertThat(Rollout.of(deployment(2, 1, status(2, 2, 1, 1)))).as("old replica terminating").isEqualTo(Rollout.State.WAITING);
        assertThat(Rollout.of(deployment(2, 1, status(2, 1, 1, 0)))).as("not available").isEqualTo(Rollout.State.WAITING);
    }

    @Test
    void aDeploymentScaledToZeroIsComplete() {
        // what the server returns after scaling to 0: every counter omitted (null), unlike Readiness.isDeploymentReady's view
        assertThat(Rollout.of(deployment(4, 0, new V1DeploymentStatus().observedGeneration(4L)))).isEqualTo(Rollout.State.COMPLETE);
    }

    @Test
    void failedWhenTheProgressDeadlineIsExceeded() {
        V1DeploymentStatus s = status(2, 1, 1, 0).conditions(List.of(
                new V1DeploymentCondition().type("Progressing").status("False").reason("ProgressDeadlineExceeded")));
        assertThat(Rollout.of(deployment(2, 1, s))).isEqualTo(Rollout.State.FAILED);
    }

    @Test
    void overAnInstanceAFailureWinsThenAWaitAndNoDeploymentsYetIsWaiting() {
        V1Deployment complete = deployment(2, 1, status(2, 1, 1, 1));
        V1Deployment waiting = deployment(3, 1, status(2, 1, 1, 1));
        V1Deployment failed = deployment(2, 1, status(2, 1, 1, 0).conditions(List.of(
                new V1DeploymentCondition().type("Progressing").status("False").reason("ProgressDeadlineExceeded"))));
        assertThat(Rollout.ofAll(List.of())).isEqualTo(Rollout.State.WAITING);
        assertThat(Rollout.ofAll(List.of(complete, complete))).isEqualTo(Rollout.State.COMPLETE);
        assertThat(Rollout.ofAll(List.of(complete, waiting))).isEqualTo(Rollout.State.WAITING);
        assertThat(Rollout.ofAll(List.of(waiting, failed, complete))).isEqualTo(Rollout.State.FAILED);
    }

    private static V1Deployment deployment(long generation, int replicas, V1DeploymentStatus status) {
        return new V1Deployment().metadata(new V1ObjectMeta().generation(generation))
                .spec(new V1DeploymentSpec().replicas(replicas)).status(status);
    }

    private static V1DeploymentStatus status(long observed, int replicas, int updated, int available) {
        return new V1DeploymentStatus().observedGeneration(observed).replicas(replicas).updatedReplicas(updated)
                .availableReplicas(available);
    }
}
