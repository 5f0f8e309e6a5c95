package dev.berth.docker;

import dev.berth.spi.ComponentSpec;
import dev.berth.spi.NodeRef;
import dev.berth.spi.RuntimeProvider;
import dev.berth.testkit.tck.TckTarget;

import java.util.List;
import java.util.Optional;

/**
 * The provider TCK's view of the real Docker engines (see {@link DockerTestEnv}): instances go to the shared
 * daemon, the marker lives in the app's data volume, leftovers are the instance's containers, volumes and
 * networks. Closing it closes the provider.
 */
final class DockerTckTarget implements TckTarget {

    private final DockerProvider provider;
    private final NodeRef otherNode;

    private DockerTckTarget(DockerProvider provider, NodeRef otherNode) {
        this.provider = provider;
        this.otherNode = otherNode;
    }

    /** A provider on the shared daemon only. */
    static DockerTckTarget local() {
        return new DockerTckTarget(DockerTestEnv.localProvider(), null);
    }

    /** A provider on both daemons; the second one is {@link #otherNode()}, for the migration suite. */
    static DockerTckTarget twoHosts() {
        return new DockerTckTarget(DockerTestEnv.twoHostProvider(), DockerTestEnv.SECOND_NODE);
    }

    @Override
    public RuntimeProvider provider() {
        return provider;
    }

    @Override
    public NodeRef node() {
        return DockerTestEnv.LOCAL_NODE;
    }

    @Override
    public NodeRef otherNode() {
        return otherNode != null ? otherNode : TckTarget.super.otherNode();
    }

    @Override
    public List<ComponentSpec> components(String instanceId, String version) {
        return DockerTestEnv.components(instanceId, version);
    }

    @Override
    public void writeMarker(String instanceId, String content) {
        DockerTestEnv.writeMarker(provider, instanceId, content);
    }

    @Override
    public Optional<String> readMarker(String instanceId) {
        return DockerTestEnv.readMarker(provider, instanceId);
    }

    @Override
    public List<String> leftovers(String instanceId) {
        return DockerTestEnv.leftovers(provider, instanceId);
    }

    @Override
    public void close() {
        provider.close();
    }
}
