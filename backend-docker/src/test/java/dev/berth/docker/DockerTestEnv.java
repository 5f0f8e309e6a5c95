package dev.berth.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import dev.berth.docker.host.DockerLabels;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.NodeRef;
import dev.berth.testkit.image.TestAppImage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real Docker engines the integration tests run against: the shared daemon ({@value #LOCAL}) and a second
 * daemon ({@value #SECOND}, on {@code $BERTH_TEST_DOCKER2_HOST}, default {@value #DEFAULT_SECOND_ENDPOINT},
 * started by test.sh). Nothing here skips: a missing daemon fails the test that needs it.
 */
final class DockerTestEnv {

    static final String LOCAL = "local";
    static final String SECOND = "second";
    static final String DEFAULT_SECOND_ENDPOINT = "unix:///run/berth-docker2.sock";
    static final NodeRef LOCAL_NODE = new NodeRef("node-local", LOCAL, Map.of());
    static final NodeRef SECOND_NODE = new NodeRef("node-second", SECOND, Map.of());
    static final Duration READINESS = Duration.ofSeconds(30);

    private DockerTestEnv() {
    }

    static String secondEndpoint() {
        String env = System.getenv("BERTH_TEST_DOCKER2_HOST");
        return env == null || env.isBlank() ? DEFAULT_SECOND_ENDPOINT : env;
    }

    /** Settings for the shared daemon only, with a test-only name prefix. */
    static DockerSettings localSettings() {
        DockerSettings d = DockerSettings.defaults(List.of(DockerHostConfig.unix(LOCAL, DockerSettings.DEFAULT_SOCKET)));
        return new DockerSettings(d.hosts(), "berthit", null, null, null, d.pidsLimit(), d.restartPolicy(), READINESS,
                Duration.ofSeconds(2), d.apiTimeout());
    }

    /** Settings for both daemons. */
    static DockerSettings twoHostSettings() {
        DockerSettings l = localSettings();
        return new DockerSettings(List.of(l.hosts().get(0), DockerHostConfig.unix(SECOND, secondEndpoint().replaceFirst("^unix://", ""))),
                l.namePrefix(), null, null, null, l.pidsLimit(), l.restartPolicy(), l.readinessTimeout(), l.stopTimeout(), l.apiTimeout());
    }

    /** A provider on the shared daemon whose test images exist (built when missing). */
    static DockerProvider localProvider() {
        TestAppImage.ensureAll();
        DockerProvider p = new DockerProvider(localSettings());
        p.testConnection();
        return p;
    }

    /** A provider on both daemons; the images exist on the shared one only (migration copies them). */
    static DockerProvider twoHostProvider() {
        TestAppImage.ensureAll();
        DockerProvider p = new DockerProvider(twoHostSettings());
        p.testConnection();
        return p;
    }

    /** The TCK's test app: one HTTP component "app" with a data volume. */
    static List<ComponentSpec> components(String instanceId, String version) {
        return List.of(TestAppImage.component("app", version, true, Map.of("APP_INSTANCE", instanceId), Map.of(), READINESS));
    }

    /** The raw client of one of the provider's hosts. */
    static DockerClient client(DockerProvider provider, String host) {
        return provider.host(host).client();
    }

    /** The container of {@code component} of an instance on any host of the provider, with its client. */
    static Optional<Located> container(DockerProvider provider, String instanceId, String component) {
        for (DockerHostConfig h : provider.settings().hosts()) {
            DockerClient c = client(provider, h.name());
            List<Container> found = c.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(DockerLabels.INSTANCE, instanceId, DockerLabels.COMPONENT, component)).exec();
            found = found.stream().filter(x -> !x.getNames()[0].endsWith("-rollback")).toList();
            if (!found.isEmpty()) {
                return Optional.of(new Located(c, found.get(0).getId()));
            }
        }
        return Optional.empty();
    }

    /** A container and the client of its host. */
    record Located(DockerClient client, String containerId) { }

    /** Runs a command in the instance's component container; returns exit code and output. */
    static ExecResult exec(DockerProvider provider, String instanceId, String component, String... cmd) {
        Located at = container(provider, instanceId, component)
                .orElseThrow(() -> new AssertionError("no container for " + instanceId + "/" + component));
        String execId = at.client().execCreateCmd(at.containerId()).withCmd(cmd).withAttachStdout(true).withAttachStderr(true)
                .exec().getId();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            at.client().execStartCmd(execId).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    out.writeBytes(frame.getPayload());
                }
            }).awaitCompletion(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        Long code = at.client().inspectExecCmd(execId).exec().getExitCodeLong();
        return new ExecResult(code == null ? -1 : code.intValue(), out.toString(StandardCharsets.UTF_8));
    }

    /** Outcome of {@link #exec}. */
    record ExecResult(int code, String output) { }

    static void writeMarker(DockerProvider provider, String instanceId, String content) {
        ExecResult r = exec(provider, instanceId, "app", "sh", "-c", "printf %s \"$1\" > /data/marker", "sh", content);
        if (r.code() != 0) throw new AssertionError("writing the marker failed: " + r);
    }

    static Optional<String> readMarker(DockerProvider provider, String instanceId) {
        ExecResult r = exec(provider, instanceId, "app", "sh", "-c", "cat /data/marker 2>/dev/null || exit 3");
        if (r.code() == 3) return Optional.empty();
        if (r.code() != 0) throw new AssertionError("reading the marker failed: " + r);
        return Optional.of(r.output());
    }

    /** Containers, volumes and networks labelled with the instance, on every host. */
    static List<String> leftovers(DockerProvider provider, String instanceId) {
        List<String> left = new ArrayList<>();
        Map<String, String> labels = Map.of(DockerLabels.INSTANCE, instanceId);
        for (DockerHostConfig h : provider.settings().hosts()) {
            DockerClient c = client(provider, h.name());
            c.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec()
                    .forEach(x -> left.add(h.name() + " container " + x.getNames()[0]));
            var volumes = c.listVolumesCmd().withFilter("label", List.of(DockerLabels.INSTANCE + "=" + instanceId)).exec().getVolumes();
            if (volumes != null) volumes.forEach(v -> left.add(h.name() + " volume " + v.getName()));
            c.listNetworksCmd().withFilter("label", List.of(DockerLabels.INSTANCE + "=" + instanceId)).exec()
                    .forEach(n -> left.add(h.name() + " network " + n.getName()));
        }
        return left;
    }
}
