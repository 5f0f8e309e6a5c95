package dev.berth.examples.server.metrics;

import dev.berth.core.placement.NodeCandidate;
import dev.berth.core.placement.PlacementDecision;
import dev.berth.core.placement.PlacementRequest;
import dev.berth.core.placement.PlacementStrategy;
import io.micrometer.core.instrument.Timer;

import java.util.List;

/**
 * Times a placement strategy. Capacity checks run the strategy many times in a simulation (their request's
 * instance id is "capacity-check", see core's CapacityService); those calls are not placements and are not timed.
 */
public final class TimedPlacement implements PlacementStrategy {

    private static final String CAPACITY_CHECK = "capacity-check";

    private final PlacementStrategy delegate;
    private final Timer timer;

    public TimedPlacement(PlacementStrategy delegate, Timer timer) {
        this.delegate = delegate;
        this.timer = timer;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public PlacementDecision place(PlacementRequest request, List<NodeCandidate> candidates) {
        if (CAPACITY_CHECK.equals(request.instanceId())) return delegate.place(request, candidates);
        return timer.record(() -> delegate.place(request, candidates));
    }
}
