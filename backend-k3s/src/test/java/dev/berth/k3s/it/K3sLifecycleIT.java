package dev.berth.k3s.it;

import dev.berth.core.provider.ComponentSpec;
import dev.berth.core.provider.NodeRef;
import dev.berth.core.provider.RuntimeProvider;
import dev.berth.testkit.tck.LifecycleContract;

import java.util.List;
import java.util.Optional;

/** The provider TCK's lifecycle suite against the real test API server (readiness from {@link FakeKubelet}). */
class K3sLifecycleIT extends LifecycleContract {

    private final TestCluster cluster = TestCluster.get();

    @Override protected RuntimeProvider provider() { return cluster.provider; }
    @Override protected NodeRef node() { return TestCluster.NODE; }
    @Override protected List<ComponentSpec> components(String instanceId, String version) { return TestCluster.components(version); }
    @Override protected void writeMarker(String instanceId, String content) { cluster.writeMarker(instanceId, content); }
    @Override protected Optional<String> readMarker(String instanceId) { return cluster.readMarker(instanceId); }
    @Override protected List<String> leftovers(String instanceId) { return cluster.labelled(instanceId); }
}
