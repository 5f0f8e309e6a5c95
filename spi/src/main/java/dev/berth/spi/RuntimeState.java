package dev.berth.spi;

/** What a runtime reports about an instance it holds. */
public enum RuntimeState {
    /** Being created or started, or running but some component with a readiness probe does not pass it yet. */
    STARTING,
    /**
     * Every component runs and every component that has a readiness probe
     * ({@link ComponentSpec.Readiness}) passes it: the app answers. The engine activates an instance (and tells its
     * customer it is ready) only on this state.
     */
    RUNNING,
    /** Stopped, data kept. */
    STOPPED,
    /** Some components run, others do not, or they crash-loop. */
    DEGRADED
}
