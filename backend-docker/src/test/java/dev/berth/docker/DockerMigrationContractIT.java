package dev.berth.docker;

import dev.berth.core.provider.ComponentSpec;
import dev.berth.core.provider.NodeRef;
import dev.berth.core.provider.RuntimeProvider;
import dev.berth.testkit.tck.MigrationContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;
import java.util.Optional;

/** The provider TCK's migration suite against the real Docker engine. */
class DockerMigrationContractIT extends MigrationContract {

    private static DockerProvider provider;

    @BeforeAll
    static void connect() {
        provider = DockerTestEnv.twoHostProvider();
    }

    @AfterAll
    static void close() {
        if (provider != null) provider.close();
    }

    @Override
    protected RuntimeProvider provider() {
        return provider;
    }

    @Override
    protected NodeRef node() {
        return DockerTestEnv.LOCAL_NODE;
    }

    @Override
    protected NodeRef otherNode() {
        return DockerTestEnv.SECOND_NODE;
    }

    @Override
    protected List<ComponentSpec> components(String instanceId, String version) {
        return DockerTestEnv.components(instanceId, version);
    }

    @Override
    protected void writeMarker(String instanceId, String content) {
        DockerTestEnv.writeMarker(provider, instanceId, content);
    }

    @Override
    protected Optional<String> readMarker(String instanceId) {
        return DockerTestEnv.readMarker(provider, instanceId);
    }

    @Override
    protected List<String> leftovers(String instanceId) {
        return DockerTestEnv.leftovers(provider, instanceId);
    }
}
