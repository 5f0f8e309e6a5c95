package dev.berth.testkit.memory;

import dev.berth.spi.ComponentSpec;
import dev.berth.spi.NodeRef;
import dev.berth.spi.RuntimeProvider;
import dev.berth.testkit.tck.TckTarget;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The TCK's view of the in-memory provider: two targets ({@code mem-1}, {@code mem-2}) and the marker kept in
 * the instance's in-memory data. The provider under test may be a wrapper around the in-memory provider (the
 * TCK's self test breaks one promise that way); markers always go to the in-memory provider underneath.
 */
public class InMemoryTckTarget implements TckTarget {

    private final RuntimeProvider provider;
    private final InMemoryProvider memory;

    /** A fresh two-target in-memory provider, tested directly. */
    public InMemoryTckTarget() {
        this(twoTargets());
    }

    private InMemoryTckTarget(InMemoryProvider memory) {
        this(memory, memory);
    }

    /** Tests {@code provider}, which keeps its instances' data in {@code memory}. */
    public InMemoryTckTarget(RuntimeProvider provider, InMemoryProvider memory) {
        this.provider = provider;
        this.memory = memory;
    }

    /** A provider with the two targets the migration suite needs. */
    public static InMemoryProvider twoTargets() {
        return new InMemoryProvider(
                Map.of("mem-1", InMemoryProvider.DEFAULT_CAPACITY, "mem-2", InMemoryProvider.DEFAULT_CAPACITY));
    }

    @Override
    public RuntimeProvider provider() {
        return provider;
    }

    @Override
    public NodeRef node() {
        return new NodeRef("node-1", "mem-1", Map.of());
    }

    @Override
    public NodeRef otherNode() {
        return new NodeRef("node-2", "mem-2", Map.of());
    }

    @Override
    public List<ComponentSpec> components(String instanceId, String version) {
        return List.of(new ComponentSpec("app", "tck/app:" + version, null, List.of(new ComponentSpec.Port("http", 8080)),
                List.of(new ComponentSpec.Volume("data", "/data")), Map.of(), Map.of(), null, true));
    }

    @Override
    public void writeMarker(String instanceId, String content) {
        memory.writeData(instanceId, "marker", content);
    }

    @Override
    public Optional<String> readMarker(String instanceId) {
        return memory.readData(instanceId, "marker");
    }
}
