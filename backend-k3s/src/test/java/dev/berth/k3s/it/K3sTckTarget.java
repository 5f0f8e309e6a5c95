package dev.berth.k3s.it;

import dev.berth.spi.ComponentSpec;
import dev.berth.spi.NodeRef;
import dev.berth.spi.RuntimeProvider;
import dev.berth.testkit.tck.TckTarget;

import java.util.List;
import java.util.Optional;

/**
 * The provider TCK's view of the shared {@link TestCluster} (readiness from {@link FakeKubelet}): the marker is a
 * file in the data of the app's claim, leftovers are whatever still carries the instance's label. Closing it does
 * nothing: the cluster is shared by every integration test of the JVM.
 */
final class K3sTckTarget implements TckTarget {

    private final TestCluster cluster = TestCluster.get();
    private final boolean inDocker;

    /** App pods simulated: the usual target. */
    K3sTckTarget() {
        this(false);
    }

    private K3sTckTarget(boolean inDocker) {
        this.inDocker = inDocker;
    }

    /**
     * A target whose instances' pods really run, in Docker ({@link FakeKubelet#runInDocker}), from the test app image
     * ({@link TestCluster#dockerComponents}): for the exec suite, whose commands must run in a real container reached
     * through the API server's {@code pods/exec}.
     */
    static K3sTckTarget inDocker() {
        return new K3sTckTarget(true);
    }

    @Override
    public RuntimeProvider provider() {
        return cluster.provider;
    }

    @Override
    public NodeRef node() {
        return TestCluster.NODE;
    }

    @Override
    public List<ComponentSpec> components(String instanceId, String version) {
        if (inDocker) {
            cluster.kubelet.runInDocker(instanceId);
            return TestCluster.dockerComponents(version);
        }
        return TestCluster.components(version);
    }

    @Override
    public void writeMarker(String instanceId, String content) {
        cluster.writeMarker(instanceId, content);
    }

    @Override
    public Optional<String> readMarker(String instanceId) {
        return cluster.readMarker(instanceId);
    }

    @Override
    public List<String> leftovers(String instanceId) {
        return cluster.labelled(instanceId);
    }
}
