package dev.berth.proxmox.resize;

import dev.berth.spi.LiveResizeSupport;

/**
 * The provider's {@link LiveResizeSupport}: CPU and memory of an LXC container change live (cgroup limits),
 * lowering memory too; the root disk only grows.
 */
public final class LxcLiveResize implements LiveResizeSupport {

    @Override
    public boolean canShrinkMemory() {
        return true;
    }
}
