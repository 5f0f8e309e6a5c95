package dev.berth.testkit.memory;

import dev.berth.core.node.Capacity;
import dev.berth.spi.ProviderFactory;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.error.InvalidSpecException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Creates {@link InMemoryProvider}s for kind {@value InMemoryProvider#KIND}. Each {@link #create} returns a new,
 * empty provider. Configuration keys, all optional:
 * <ul>
 *   <li>{@code targets}: comma-separated target names (default {@value InMemoryProvider#DEFAULT_TARGET})</li>
 *   <li>{@code cpuMillis}, {@code memoryBytes}, {@code diskBytes}: capacity of each target
 *       (default {@link InMemoryProvider#DEFAULT_CAPACITY})</li>
 * </ul>
 */
public final class InMemoryProviderFactory implements ProviderFactory {

    @Override
    public boolean supports(String kind) {
        return InMemoryProvider.KIND.equals(kind);
    }

    @Override
    public RuntimeProvider create(Map<String, String> config) {
        Map<String, String> c = config == null ? Map.of() : config;
        Capacity d = InMemoryProvider.DEFAULT_CAPACITY;
        Capacity capacity = new Capacity(number(c, "cpuMillis", d.cpuMillis()),
                number(c, "memoryBytes", d.memoryBytes()), number(c, "diskBytes", d.diskBytes()));
        List<String> names = Arrays.stream(c.getOrDefault("targets", InMemoryProvider.DEFAULT_TARGET).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        if (names.isEmpty()) {
            throw new InvalidSpecException("targets", "must name at least one target");
        }
        Map<String, Capacity> targets = new LinkedHashMap<>();
        names.forEach(n -> targets.put(n, capacity));
        return new InMemoryProvider(targets);
    }

    private static long number(Map<String, String> config, String key, long fallback) {
        String value = config.get(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n <= 0) {
                throw new InvalidSpecException(key, "must be positive, was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidSpecException(key, "must be a whole number, was '" + value + "'");
        }
    }
}
