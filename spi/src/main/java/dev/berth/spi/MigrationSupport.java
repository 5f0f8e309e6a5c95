package dev.berth.spi;

/** Capability: move an instance to another target of the same provider, keeping its data. */
public interface MigrationSupport {

    /**
     * Moves the instance to {@code target}; returns when it runs there and is removed from its old target.
     * Idempotent: migrating to the target it already runs on does nothing.
     *
     * @throws dev.berth.spi.error.NotFoundException if the runtime holds no such instance
     */
    InstanceStatus migrate(String instanceId, NodeRef target);
}
