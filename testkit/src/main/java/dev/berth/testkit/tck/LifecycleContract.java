package dev.berth.testkit.tck;

import dev.berth.spi.InstanceStatus;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.error.NotFoundException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TCK: suspend, resume, plan change and upgrade of an existing instance. Every provider extends this suite.
 * Each verb must keep the instance's persistent data (checked with a marker written through the runtime).
 */
public abstract class LifecycleContract extends ProviderTckSupport {

    /** Suspend stops the instance without losing data; resume runs it again with the data intact. */
    @Test
    public void suspendStopsAndResumeKeepsData() {
        String id = newInstanceId();
        provisionRunning(id);
        target().writeMarker(id, "before-suspend");

        target().provider().suspend(id);
        assertThat(awaitState(id, RuntimeState.STOPPED).state()).isEqualTo(RuntimeState.STOPPED);
        assertThat(inventoryOf(id)).as("a suspended instance is still held").hasSize(1);

        target().provider().resume(id);
        awaitState(id, RuntimeState.RUNNING);
        assertThat(target().readMarker(id)).contains("before-suspend");
    }

    /** Suspending a stopped instance and resuming a running one do nothing. */
    @Test
    public void suspendAndResumeAreIdempotent() {
        String id = newInstanceId();
        provisionRunning(id);

        target().provider().suspend(id);
        target().provider().suspend(id);
        assertThat(awaitState(id, RuntimeState.STOPPED).appliedLimits()).isEqualTo(target().smallPlan());

        target().provider().resume(id);
        target().provider().resume(id);
        assertThat(awaitState(id, RuntimeState.RUNNING).appliedLimits()).isEqualTo(target().smallPlan());
        assertThat(inventoryOf(id)).hasSize(1);
    }

    /** A plan change up and back down applies the new limits as read back from the runtime, keeping data. */
    @Test
    public void changePlanAppliesNewLimits() {
        String id = newInstanceId();
        provisionRunning(id);
        target().writeMarker(id, "before-plan-change");

        InstanceStatus up = target().provider().changePlan(id, target().largePlan());
        assertThat(up.appliedLimits()).as("limits returned by changePlan").isEqualTo(target().largePlan());
        assertThat(awaitState(id, RuntimeState.RUNNING).appliedLimits()).as("limits read back")
                .isEqualTo(target().largePlan());

        InstanceStatus same = target().provider().changePlan(id, target().largePlan());
        assertThat(same.appliedLimits()).as("repeating a plan change").isEqualTo(target().largePlan());

        target().provider().changePlan(id, target().smallPlan());
        assertThat(awaitState(id, RuntimeState.RUNNING).appliedLimits()).as("limits after going down")
                .isEqualTo(target().smallPlan());
        assertThat(target().readMarker(id)).contains("before-plan-change");
        assertThat(inventoryOf(id)).hasSize(1);
    }

    /** Upgrade moves to the new version with the same data and limits; repeating it changes nothing. */
    @Test
    public void upgradeChangesVersionAndKeepsData() {
        String id = newInstanceId();
        provisionRunning(id);
        target().writeMarker(id, "before-upgrade");

        InstanceStatus upgraded = target().provider()
                .upgrade(request(id, target().smallPlan(), target().upgradedVersion()));
        assertThat(upgraded.appVersion()).as("version returned by upgrade").isEqualTo(target().upgradedVersion());

        InstanceStatus observed = awaitState(id, RuntimeState.RUNNING);
        assertThat(observed.appVersion()).isEqualTo(target().upgradedVersion());
        assertThat(observed.appliedLimits()).isEqualTo(target().smallPlan());
        assertThat(target().readMarker(id)).contains("before-upgrade");

        target().provider().upgrade(request(id, target().smallPlan(), target().upgradedVersion()));
        assertThat(awaitState(id, RuntimeState.RUNNING).appVersion()).isEqualTo(target().upgradedVersion());
        assertThat(target().readMarker(id)).contains("before-upgrade");
        assertThat(inventoryOf(id)).hasSize(1);
    }

    /** Every lifecycle verb on an id the runtime does not hold is a NotFoundException and creates nothing. */
    @Test
    public void verbsOnUnknownInstanceThrowNotFound() {
        String id = newInstanceId();

        assertThatThrownBy(() -> target().provider().suspend(id)).as("suspend").isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> target().provider().resume(id)).as("resume").isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> target().provider().changePlan(id, target().largePlan())).as("changePlan")
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> target().provider()
                        .upgrade(request(id, target().smallPlan(), target().upgradedVersion()))).as("upgrade")
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> target().provider().status(id)).as("status").isInstanceOf(NotFoundException.class);
        assertThat(inventoryOf(id)).as("nothing created by failed verbs").isEmpty();
    }
}
