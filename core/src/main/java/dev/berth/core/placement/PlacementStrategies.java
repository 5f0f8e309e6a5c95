package dev.berth.core.placement;

import dev.berth.spi.error.InvalidSpecException;

import java.util.List;

/**
 * The built-in strategies by configuration name: "least-instances" (default, round-robin-like), "spread"
 * ({@link LeastAllocatedStrategy}), "bin-pack" ({@link MostAllocatedStrategy}) and "balanced"
 * ({@link BalancedAllocationStrategy}).
 */
public final class PlacementStrategies {

    private PlacementStrategies() {
    }

    /** One instance of each built-in strategy, without anti-affinity, in a stable order (default first). */
    public static List<PlacementStrategy> all() {
        return all(false);
    }

    /** One instance of each built-in strategy with the given anti-affinity option, default first. */
    public static List<PlacementStrategy> all(boolean antiAffinity) {
        return List.of(new LeastInstancesStrategy(antiAffinity), new LeastAllocatedStrategy(antiAffinity),
                new MostAllocatedStrategy(antiAffinity), new BalancedAllocationStrategy(antiAffinity));
    }

    /** Names accepted by {@link #byName}, default first. */
    public static List<String> names() {
        return all().stream().map(PlacementStrategy::name).toList();
    }

    /**
     * The built-in strategy called {@code name}, without anti-affinity.
     *
     * @throws InvalidSpecException on field "placement.strategy" when the name is unknown, listing the valid ones
     */
    public static PlacementStrategy byName(String name) {
        return byName(name, false);
    }

    /**
     * The built-in strategy called {@code name} with the given anti-affinity option.
     *
     * @throws InvalidSpecException on field "placement.strategy" when the name is unknown, listing the valid ones
     */
    public static PlacementStrategy byName(String name, boolean antiAffinity) {
        for (PlacementStrategy s : all(antiAffinity)) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new InvalidSpecException("placement.strategy",
                "unknown strategy '" + name + "'; valid: " + String.join(", ", names()));
    }
}
