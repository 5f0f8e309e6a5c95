package dev.berth.testkit.tck;

import dev.berth.spi.InstanceStatus;
import dev.berth.spi.MigrationSupport;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.error.NotFoundException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TCK: moving an instance between two targets of the provider. Extend it only if the provider offers
 * {@link dev.berth.spi.RuntimeProvider#migration()} and its {@link TckTarget} names a second node
 * ({@link TckTarget#otherNode()}); every test here fails when the capability is missing.
 */
public abstract class MigrationContract extends ProviderTckSupport {

    /** The provider declares the migration capability. */
    @Test
    public void capabilityDeclared() {
        assertThat(target().provider().migration()).as("provider().migration()").isPresent();
        assertThat(target().otherNode().target()).as("otherNode() must differ from node()")
                .isNotEqualTo(target().node().target());
    }

    /** Migrate moves the instance to the other target, keeps its data and limits, and leaves one instance. */
    @Test
    public void migrateMovesInstanceAndKeepsData() {
        String id = newInstanceId();
        provisionRunning(id);
        target().writeMarker(id, "before-migration");

        InstanceStatus moved = migration().migrate(id, target().otherNode());

        assertThat(moved.nodeTarget()).as("target returned by migrate").isEqualTo(target().otherNode().target());
        InstanceStatus observed = awaitState(id, RuntimeState.RUNNING);
        assertThat(observed.nodeTarget()).as("target read back").isEqualTo(target().otherNode().target());
        assertThat(observed.appliedLimits()).isEqualTo(target().smallPlan());
        assertThat(target().readMarker(id)).contains("before-migration");
        assertThat(inventoryOf(id)).as("entries after migration (old copy removed)").hasSize(1);
    }

    /** Migrating to the target the instance already runs on does nothing. */
    @Test
    public void migrateToCurrentTargetChangesNothing() {
        String id = newInstanceId();
        provisionRunning(id);
        target().writeMarker(id, "stay");

        InstanceStatus same = migration().migrate(id, target().node());

        assertThat(same.nodeTarget()).isEqualTo(target().node().target());
        assertThat(awaitState(id, RuntimeState.RUNNING).nodeTarget()).isEqualTo(target().node().target());
        assertThat(target().readMarker(id)).contains("stay");
        assertThat(inventoryOf(id)).hasSize(1);
    }

    /** Migrating an id the runtime does not hold is a NotFoundException. */
    @Test
    public void migrateUnknownInstanceThrowsNotFound() {
        String id = newInstanceId();

        assertThatThrownBy(() -> migration().migrate(id, target().otherNode())).isInstanceOf(NotFoundException.class);
        assertThat(inventoryOf(id)).isEmpty();
    }

    /** The provider's migration capability; fails the test when it is missing. */
    protected final MigrationSupport migration() {
        return target().provider().migration()
                .orElseThrow(() -> new AssertionError(
                        "provider " + target().provider().kind() + " declares no migration capability"));
    }
}
