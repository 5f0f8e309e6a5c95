package dev.berth.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.berth.docker.host.DockerLabels;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeState;
import dev.berth.testkit.image.TestAppImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Migration between two real Docker daemons (the shared one and the second one test.sh starts) of a
 * two-component instance whose image exists only on the source, with no registry reachable.
 */
class DockerMigrationIT {

    private static final ResourceLimits PLAN = new ResourceLimits(200, 800, 48 * ResourceLimits.MIB, 96 * ResourceLimits.MIB, ResourceLimits.GIB);

    private static DockerProvider provider;
    private final List<String> created = new ArrayList<>();
    private String image;

    @BeforeAll
    static void connect() {
        provider = DockerTestEnv.twoHostProvider();
    }

    @AfterAll
    static void close() {
        provider.close();
    }

    @BeforeEach
    void tagImage() {
        // a tag only the source has: the target can get it neither from a registry nor from an earlier test
        String tag = "migrate-" + HexFormat.of().formatHex(random(4));
        image = TestAppImage.REPOSITORY + ":" + tag;
        client(DockerTestEnv.LOCAL).tagImageCmd(TestAppImage.image(TestAppImage.V1), TestAppImage.REPOSITORY, tag).exec();
    }

    @AfterEach
    void terminateAll() {
        created.forEach(provider::terminate);
        for (String host : List.of(DockerTestEnv.LOCAL, DockerTestEnv.SECOND)) {
            try {
                client(host).removeImageCmd(image).exec();
            } catch (NotFoundException absent) {
                // never copied there
            }
        }
        for (String id : created) {
            assertThat(DockerTestEnv.leftovers(provider, id)).as("leftovers of %s", id).isEmpty();
        }
    }

    @Test
    void runningInstanceMovesWithDataOfEveryComponentAndItsImage() {
        String id = newId();
        provider.provision(request(id));
        for (String component : List.of("app", "db")) {
            assertThat(DockerTestEnv.exec(provider, id, component, "sh", "-c", "echo " + component + "-data > /data/marker && head -c 50000 /dev/urandom > /data/blob").code()).isZero();
        }
        Map<String, String> before = digests(id);
        assertThat(hasImage(DockerTestEnv.SECOND)).as("image on the target before").isFalse();

        InstanceStatus moved = provider.migration().orElseThrow().migrate(id, DockerTestEnv.SECOND_NODE);

        assertThat(moved.nodeTarget()).isEqualTo(DockerTestEnv.SECOND);
        assertThat(moved.state()).isEqualTo(RuntimeState.RUNNING);
        assertThat(moved.appliedLimits()).isEqualTo(PLAN);
        assertThat(hasImage(DockerTestEnv.SECOND)).as("image copied to the target").isTrue();
        assertThat(digests(id)).as("data of both components on the target").isEqualTo(before);
        assertThat(DockerProviderIT.httpGet("http://" + moved.endpoint() + TestAppImage.ENV_PATH)).contains("APP_INSTANCE=" + id + "-app");
        DockerTestEnv.ExecResult dbHealth = DockerTestEnv.exec(provider, id, "app", TestAppImage.FETCH, "db", "8080", TestAppImage.HEALTH_PATH);
        assertThat(dbHealth.output()).as("app reaches its db on the target: %s", dbHealth).contains("ok");
        assertThat(client(DockerTestEnv.LOCAL).listContainersCmd().withShowAll(true).withLabelFilter(Map.of(DockerLabels.INSTANCE, id)).exec())
                .as("containers left on the source").isEmpty();
        assertThat(client(DockerTestEnv.LOCAL).listVolumesCmd().withFilter("label", List.of(DockerLabels.INSTANCE + "=" + id)).exec().getVolumes())
                .as("volumes left on the source").isNullOrEmpty();
        assertThat(provider.inventory().stream().filter(s -> s.instanceId().equals(id))).singleElement()
                .satisfies(s -> assertThat(s.nodeTarget()).isEqualTo(DockerTestEnv.SECOND));
    }

    @Test
    void stoppedInstanceMovesAndStaysStopped() {
        String id = newId();
        provider.provision(request(id));
        DockerTestEnv.writeMarker(provider, id, "while-stopped");
        provider.suspend(id);

        InstanceStatus moved = provider.migration().orElseThrow().migrate(id, DockerTestEnv.SECOND_NODE);

        assertThat(moved.state()).isEqualTo(RuntimeState.STOPPED);
        provider.resume(id);
        assertThat(provider.status(id).nodeTarget()).isEqualTo(DockerTestEnv.SECOND);
        assertThat(DockerTestEnv.readMarker(provider, id)).contains("while-stopped");

        InstanceStatus back = provider.migration().orElseThrow().migrate(id, DockerTestEnv.LOCAL_NODE);

        assertThat(back.nodeTarget()).isEqualTo(DockerTestEnv.LOCAL);
        assertThat(DockerTestEnv.readMarker(provider, id)).as("after moving back").contains("while-stopped");
    }

    private String newId() {
        String id = "mig-" + HexFormat.of().formatHex(random(4));
        created.add(id);
        return id;
    }

    private ProvisionRequest request(String id) {
        List<ComponentSpec> components = new ArrayList<>();
        for (String name : List.of("app", "db")) {
            ComponentSpec c = TestAppImage.component(name, TestAppImage.V1, name.equals("app"), Map.of("APP_INSTANCE", id + "-" + name),
                    Map.of(), DockerTestEnv.READINESS);
            components.add(new ComponentSpec(c.name(), image, null, c.ports(), c.volumes(), c.env(), c.secretEnv(), c.readiness(), c.http()));
        }
        return new ProvisionRequest(id, "tenant-" + id, id, id + ".apps.test", "test-app", TestAppImage.V1, components, PLAN,
                DockerTestEnv.LOCAL_NODE, Map.of());
    }

    private static Map<String, String> digests(String id) {
        Map<String, String> d = new java.util.TreeMap<>();
        for (String component : List.of("app", "db")) {
            d.put(component, DockerTestEnv.exec(provider, id, component, "sh", "-c", "cat /data/marker; sha256sum /data/blob").output());
        }
        return d;
    }

    private boolean hasImage(String host) {
        try {
            client(host).inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private static DockerClient client(String host) {
        return DockerTestEnv.client(provider, host);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }
}
