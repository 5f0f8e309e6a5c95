package dev.berth.core.lifecycle;

import dev.berth.core.instance.InstanceState;
import dev.berth.core.store.InstanceEntity;
import dev.berth.spi.error.IllegalTransitionException;

/** Guards state changes with {@link InstanceState#canBecome}. */
final class Transitions {

    private Transitions() {
    }

    /** @throws IllegalTransitionException if {@code instance} may not move to {@code next} */
    static void check(InstanceEntity instance, InstanceState next, String command) {
        InstanceState from = InstanceState.valueOf(instance.state);
        if (!from.canBecome(next)) {
            throw new IllegalTransitionException("instance " + instance.id, from.name(), command.toLowerCase().replace('_', ' '));
        }
    }

    /** @throws IllegalTransitionException unless the instance is in one of {@code allowed} */
    static void requireState(InstanceEntity instance, String command, InstanceState... allowed) {
        InstanceState from = InstanceState.valueOf(instance.state);
        for (InstanceState s : allowed) {
            if (s == from) return;
        }
        throw new IllegalTransitionException("instance " + instance.id, from.name(), command.toLowerCase().replace('_', ' '));
    }
}
