package dev.berth.testkit.tck;

import dev.berth.core.error.NotFoundException;
import dev.berth.core.provider.InstanceStatus;
import dev.berth.core.provider.RuntimeState;
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
        writeMarker(id, "before-suspend");

        provider().suspend(id);
        assertThat(awaitState(id, RuntimeState.STOPPED).state()).isEqualTo(RuntimeState.STOPPED);
        assertThat(inventoryOf(id)).as("a suspended instance is still held").hasSize(1);

        provider().resume(id);
        awaitState(id, RuntimeState.RUNNING);
        assertThat(readMarker(id)).contains("before-suspend");
    }

    /** Suspending a stopped instance and resuming a running one do nothing. */
    @Test
    public void suspendAndResumeAreIdempotent() {
        String id = newInstanceId();
        provisionRunning(id);

        provider().suspend(id);
        provider().suspend(id);
        assertThat(awaitState(id, RuntimeState.STOPPED).appliedLimits()).isEqualTo(smallPlan());

        provider().resume(id);
        provider().resume(id);
        assertThat(awaitState(id, RuntimeState.RUNNING).appliedLimits()).isEqualTo(smallPlan());
        assertThat(inventoryOf(id)).hasSize(1);
    }

    /** A plan change up and back down applies the new limits as read back from the runtime, keeping data. */
    @Test
    public void changePlanAppliesNewLimits() {
        String id = newInstanceId();
        provisionRunning(id);
        writeMarker(id, "before-plan-change");

        InstanceStatus up = provider().changePlan(id, largePlan());
        assertThat(up.appliedLimits()).as("limits returned by changePlan").isEqualTo(largePlan());
        assertThat(awaitState(id, RuntimeState.RUNNING).appliedLimits()).as("limits read back").isEqualTo(largePlan());

        InstanceStatus same = provider().changePlan(id, largePlan());
        assertThat(same.appliedLimits()).as("repeating a plan change").isEqualTo(largePlan());

        provider().changePlan(id, smallPlan());
        assertThat(awaitState(id, RuntimeState.RUNNING).appliedLimits()).as("limits after going down")
                .isEqualTo(smallPlan());
        assertThat(readMarker(id)).contains("before-plan-change");
        assertThat(inventoryOf(id)).hasSize(1);
    }

    /** Upgrade moves to the new version with the same data and limits; repeating it changes nothing. */
    @Test
    public void upgradeChangesVersionAndKeepsData() {
        String id = newInstanceId();
        provisionRunning(id);
        writeMarker(id, "before-upgrade");

        InstanceStatus upgraded = provider().upgrade(request(id, smallPlan(), upgradedVersion()));
        assertThat(upgraded.appVersion()).as("version returned by upgrade").isEqualTo(upgradedVersion());

        InstanceStatus observed = awaitState(id, RuntimeState.RUNNING);
        assertThat(observed.appVersion()).isEqualTo(upgradedVersion());
        assertThat(observed.appliedLimits()).isEqualTo(smallPlan());
        assertThat(readMarker(id)).contains("before-upgrade");

        provider().upgrade(request(id, smallPlan(), upgradedVersion()));
        assertThat(awaitState(id, RuntimeState.RUNNING).appVersion()).isEqualTo(upgradedVersion());
        assertThat(readMarker(id)).contains("before-upgrade");
        assertThat(inventoryOf(id)).hasSize(1);
    }

    /** Every lifecycle verb on an id the runtime does not hold is a NotFoundException and creates nothing. */
    @Test
    public void verbsOnUnknownInstanceThrowNotFound() {
        String id = newInstanceId();

        assertThatThrownBy(() -> provider().suspend(id)).as("suspend").isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> provider().resume(id)).as("resume").isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> provider().changePlan(id, largePlan())).as("changePlan")
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> provider().upgrade(request(id, smallPlan(), upgradedVersion()))).as("upgrade")
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> provider().status(id)).as("status").isInstanceOf(NotFoundException.class);
        assertThat(inventoryOf(id)).as("nothing created by failed verbs").isEmpty();
    }
}
