package dev.berth.docker;

import dev.berth.spi.Providers;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DockerSettingsTest {

    @Test
    void defaultsToTheLocalSocket() {
        DockerSettings s = DockerSettings.fromMap(Map.of());

        assertThat(s.hosts()).containsExactly(DockerHostConfig.unix("local", "/var/run/docker.sock"));
        assertThat(s.namePrefix()).isEqualTo("berth");
        assertThat(s.proxyNetwork()).isNull();
        assertThat(s.pidsLimit()).isEqualTo(512);
        assertThat(s.restartPolicy()).isEqualTo("unless-stopped");
    }

    @Test
    void readsHostsTlsProxyAndTimeouts() {
        DockerSettings s = DockerSettings.fromMap(Map.ofEntries(
                Map.entry("hosts", "a=unix:///run/a.sock, b=tcp://10.0.0.5:2376"),
                Map.entry("hosts.b.tlsVerify", "true"),
                Map.entry("hosts.b.certPath", "/etc/berth/docker-b"),
                Map.entry("hosts.b.diskBytes", "1000"),
                Map.entry("proxyNetwork", "traefik"),
                Map.entry("traefik.entrypoint", "websecure"),
                Map.entry("traefik.tlsResolver", "letsencrypt"),
                Map.entry("pidsLimit", "256"),
                Map.entry("readinessTimeout", "PT30S")));

        assertThat(s.hosts()).containsExactly(
                new DockerHostConfig("a", URI.create("unix:///run/a.sock"), false, null, 0),
                new DockerHostConfig("b", URI.create("tcp://10.0.0.5:2376"), true, "/etc/berth/docker-b", 1000));
        assertThat(s.proxyNetwork()).isEqualTo("traefik");
        assertThat(s.traefikEntrypoint()).isEqualTo("websecure");
        assertThat(s.tlsResolver()).isEqualTo("letsencrypt");
        assertThat(s.pidsLimit()).isEqualTo(256);
        assertThat(s.readinessTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> DockerSettings.fromMap(Map.of("hosts", "nope")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("hosts"));
        assertThatThrownBy(() -> DockerSettings.fromMap(Map.of("hosts", "a=http://x")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("hosts.a"));
        assertThatThrownBy(() -> DockerSettings.fromMap(Map.of("hosts", "a=tcp://x:2376", "hosts.a.tlsVerify", "true")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("hosts.a.certPath"));
        assertThatThrownBy(() -> DockerSettings.fromMap(Map.of("hosts", "a=unix:///a,a=unix:///b")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("hosts"));
        assertThatThrownBy(() -> DockerSettings.fromMap(Map.of("pidsLimit", "many")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("pidsLimit"));
        assertThatThrownBy(() -> DockerSettings.fromMap(Map.of("readinessTimeout", "30s")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("readinessTimeout"));
        assertThatThrownBy(() -> DockerSettings.fromMap(Map.of("restartPolicy", "sometimes")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("restartPolicy"));
    }

    @Test
    void factoryIsFoundByKindThroughServiceLoader() {
        try (RuntimeProvider p = Providers.create("docker", Map.of("hosts", "h1=unix:///nonexistent.sock"))) {
            assertThat(p).isInstanceOf(DockerProvider.class);
            assertThat(p.kind()).isEqualTo("docker");
            assertThat(((DockerProvider) p).settings().hosts()).extracting(DockerHostConfig::name).containsExactly("h1");
        }
    }
}
