package dev.berth.spi;

/**
 * What a runtime observes about one instance. The limits are read back from the runtime (container
 * inspect, LXC config, pod spec), not copied from the request, so a caller can verify they were applied.
 *
 * @param instanceId     Berth's instance id
 * @param nodeTarget     where it actually runs (provider's name of the node)
 * @param state          observed state
 * @param appVersion     version running now
 * @param appliedLimits  the limits the runtime enforces
 * @param endpoint       internal address of the HTTP component ("10.0.3.4:5678"), or null
 */
public record InstanceStatus(String instanceId, String nodeTarget, RuntimeState state, String appVersion,
                             ResourceLimits appliedLimits, String endpoint) { }
