package dev.berth.testkit.memory;

import dev.berth.core.provider.ComponentSpec;
import dev.berth.core.provider.NodeRef;
import dev.berth.core.provider.RuntimeProvider;
import dev.berth.testkit.tck.BackupContract;

import java.util.List;
import java.util.Map;
import java.util.Optional;

class InMemoryProviderBackupContractTest extends BackupContract {

    private final InMemoryProvider provider = new InMemoryProvider(
            Map.of("mem-1", InMemoryProvider.DEFAULT_CAPACITY, "mem-2", InMemoryProvider.DEFAULT_CAPACITY));

    @Override protected RuntimeProvider provider() { return provider; }
    @Override protected NodeRef node() { return new NodeRef("node-1", "mem-1", Map.of()); }
    @Override protected List<ComponentSpec> components(String id, String version) {
        return List.of(new ComponentSpec("app", "tck/app:" + version, null, List.of(new ComponentSpec.Port("http", 8080)),
                List.of(new ComponentSpec.Volume("data", "/data")), Map.of(), Map.of(), null, true));
    }
    @Override protected void writeMarker(String id, String content) { provider.writeData(id, "marker", content); }
    @Override protected Optional<String> readMarker(String id) { return provider.readData(id, "marker"); }
}
