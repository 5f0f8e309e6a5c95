package dev.berth.spi;

/**
 * Capability marker: {@link RuntimeProvider#changePlan} applies new limits without restarting the instance.
 */
public interface LiveResizeSupport {
    /** True when memory can be lowered live too (some runtimes only raise it without a restart). */
    boolean canShrinkMemory();
}
