package dev.berth.testkit.memory;

import dev.berth.spi.InstanceStatus;
import dev.berth.spi.MigrationSupport;
import dev.berth.spi.NodeRef;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.testkit.memory.InMemoryProvider.Verb;

import java.util.Objects;

/** Moves an {@link InMemoryProvider} instance between its targets. */
final class InMemoryMigration implements MigrationSupport {

    private final InMemoryProvider provider;

    InMemoryMigration(InMemoryProvider provider) {
        this.provider = provider;
    }

    /** {@inheritDoc} Capacity on the new target is checked first; data, limits and state move along. */
    @Override
    public InstanceStatus migrate(String instanceId, NodeRef target) {
        Objects.requireNonNull(target, "target");
        if (target.target() == null || !provider.targets().containsKey(target.target())) {
            throw new InvalidSpecException("target.target", "unknown target '" + target.target() + "'");
        }
        return provider.call(Verb.MIGRATE, instanceId, () -> {
            synchronized (provider.lock) {
                HeldInstance held = provider.held(instanceId);
                if (!held.target.equals(target.target())) {
                    provider.ensureFits(target.target(), held.limits, held.id);
                    held.target = target.target();
                }
                return held.status();
            }
        });
    }
}
