package dev.berth.testkit.memory;

import dev.berth.spi.ComponentSpec;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeState;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One instance of the {@link InMemoryProvider}; every field is guarded by the provider's lock. */
final class HeldInstance {
    final String id;
    String target;
    RuntimeState state = RuntimeState.STARTING;
    /** Status reports still to show STARTING before {@link #state} (see {@link InMemoryProviderBuilder#startingChecks}). */
    int startingLeft;
    /** Until when status shows STARTING before {@link #state} (see {@link InMemoryProviderBuilder#readyAfter}); null: no wait. */
    Instant readyAt;
    ResourceLimits limits;
    String version;
    List<ComponentSpec> components = List.of();
    ProvisionRequest request;
    final Map<String, String> data = new HashMap<>();
    private final Clock clock;

    HeldInstance(String id, String target, Clock clock) {
        this.id = id;
        this.target = target;
        this.clock = clock;
    }

    void apply(ProvisionRequest r) {
        request = r;
        limits = r.resources();
        version = r.appVersion();
        components = r.components();
    }

    InstanceStatus status() {
        boolean starting = startingLeft > 0 || (readyAt != null && clock.instant().isBefore(readyAt));
        RuntimeState shown = starting && state == RuntimeState.RUNNING ? RuntimeState.STARTING : state;
        return new InstanceStatus(id, target, shown, version, limits, endpoint());
    }

    private String endpoint() {
        return components.stream()
                .filter(ComponentSpec::http)
                .findFirst()
                .map(c -> id + "." + target + ".memory:" + (c.ports().isEmpty() ? 80 : c.ports().get(0).containerPort()))
                .orElse(null);
    }
}
