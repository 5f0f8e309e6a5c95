package dev.berth.docker.lifecycle;

import dev.berth.spi.LiveResizeSupport;

/**
 * {@link LiveResizeSupport} for Docker: a plan change updates the limits of the running containers in place
 * ({@link InstanceLifecycle#changePlan}).
 */
public final class DockerLiveResize implements LiveResizeSupport {

    /** {@inheritDoc} Docker lowers a memory limit live as long as the current usage fits under it. */
    @Override
    public boolean canShrinkMemory() {
        return true;
    }
}
