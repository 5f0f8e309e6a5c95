package dev.berth.k3s;

import dev.berth.spi.Providers;
import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configuration keys, their K3s defaults, and errors naming the key. */
class K3sSettingsTest {

    @Test
    void defaultsSuitK3s() {
        K3sSettings s = K3sSettings.defaults("/etc/rancher/k3s/k3s.yaml");
        assertThat(s.storageClass()).isEqualTo("local-path");
        assertThat(s.ingressClass()).isEqualTo("traefik");
        assertThat(s.ingressNamespace()).isEqualTo("kube-system");
        assertThat(s.ingressPodLabels()).containsEntry("app.kubernetes.io/name", "traefik");
        assertThat(s.dnsPodLabels()).containsEntry("k8s-app", "kube-dns");
        assertThat(s.fieldManager()).isEqualTo("berth");
        assertThat(s.podSecurity()).isEqualTo("baseline");
        assertThat(s.nonRootImages()).containsEntry("n8nio/n8n", 1000L);
        assertThat(s.pinToNode()).isFalse();
        assertThat(s.archiverImage()).isEqualTo("docker.io/library/busybox:1.36.1");
        assertThat(s.archiverTimeout()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void keysOverrideDefaults() {
        K3sSettings s = K3sSettings.from(Map.of("server", "https://k3s:6443", "token", "t0ken", "storageClass", "longhorn",
                "nodeClassLabels", "node.example.com/class, node.example.com/gpu", "rolloutTimeout", "PT2M", "pinToNode", "true",
                "nonRootImages", "ghost=1000,example/app=10001"));
        assertThat(s.storageClass()).isEqualTo("longhorn");
        assertThat(s.nodeClassLabels()).isEqualTo(List.of("node.example.com/class", "node.example.com/gpu"));
        assertThat(s.rolloutTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.pinToNode()).isTrue();
        assertThat(s.nonRootImages()).containsEntry("example/app", 10001L);
        assertThat(s.toString()).doesNotContain("t0ken");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> K3sSettings.from(Map.of())).isInstanceOf(InvalidSpecException.class)
                .extracting(e -> ((InvalidSpecException) e).field()).isEqualTo("kubeconfig");
        assertField(Map.of("kubeconfig", "k", "rolloutTimeout", "5 minutes"), "rolloutTimeout");
        assertField(Map.of("kubeconfig", "k", "tls", "yes"), "tls");
        assertField(Map.of("kubeconfig", "k", "podSecurity", "strict"), "podSecurity");
        assertField(Map.of("kubeconfig", "k", "namespacePrefix", "Berth_"), "namespacePrefix");
        assertField(Map.of("kubeconfig", "k", "nonRootImages", "ghost"), "nonRootImages");
        assertField(Map.of("kubeconfig", "k", "nonRootImages", "ghost=node"), "nonRootImages");
        assertField(Map.of("kubeconfig", "k", "archiverImage", " "), "archiverImage");
        assertField(Map.of("kubeconfig", "k", "archiverTimeout", "PT0S"), "archiverTimeout");
    }

    @Test
    void theFactoryIsFoundByKind() {
        assertThatThrownBy(() -> Providers.create("k3s", Map.of("kubeconfig", "/nonexistent/kubeconfig")))
                .isInstanceOf(InvalidSpecException.class).extracting(e -> ((InvalidSpecException) e).field()).isEqualTo("kubeconfig");
        try (var provider = Providers.create("k3s", Map.of("server", "https://127.0.0.1:1", "token", "t"))) {
            assertThat(provider.kind()).isEqualTo("k3s");
        }
    }

    private static void assertField(Map<String, String> config, String field) {
        assertThatThrownBy(() -> K3sSettings.from(config)).isInstanceOf(InvalidSpecException.class)
                .extracting(e -> ((InvalidSpecException) e).field()).isEqualTo(field);
    }
}
