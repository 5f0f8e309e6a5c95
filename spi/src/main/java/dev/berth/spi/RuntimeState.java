package dev.berth.spi;

/** What a runtime reports about an instance it holds. */
public enum RuntimeState {
    /** Being created or started. */
    STARTING,
    /** All components run. */
    RUNNING,
    /** Stopped, data kept. */
    STOPPED,
    /** Some components run, others do not, or they crash-loop. */
    DEGRADED
}
