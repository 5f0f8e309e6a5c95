package dev.berth.core.instance;

import org.junit.jupiter.api.Test;

import static dev.berth.core.instance.InstanceState.*;
import static org.assertj.core.api.Assertions.assertThat;

class InstanceStateTest {

    @Test
    void theHappyPathIsLegal() {
        assertThat(PENDING.canBecome(PROVISIONING)).isTrue();
        assertThat(PROVISIONING.canBecome(ACTIVE)).isTrue();
        assertThat(ACTIVE.canBecome(SUSPENDED)).isTrue();
        assertThat(SUSPENDED.canBecome(ACTIVE)).isTrue();
        assertThat(ACTIVE.canBecome(TERMINATING)).isTrue();
        assertThat(TERMINATING.canBecome(TERMINATED)).isTrue();
        assertThat(PENDING.canBecome(QUEUED)).isTrue();
        assertThat(QUEUED.canBecome(PROVISIONING)).isTrue();
    }

    @Test
    void shortcutsAndResurrectionsAreIllegal() {
        assertThat(PENDING.canBecome(ACTIVE)).isFalse();
        assertThat(SUSPENDED.canBecome(PROVISIONING)).isFalse();
        assertThat(FAILED.canBecome(ACTIVE)).isFalse();
        assertThat(TERMINATED.allowedNext()).isEmpty();
        for (InstanceState s : values()) {
            assertThat(s.canBecome(s)).as("%s to itself", s).isFalse();
        }
    }
}
