package dev.berth.k3s.objects;

import dev.berth.k3s.K3sSettings;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.V1IPBlock;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyEgressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyIngressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPort;
import io.kubernetes.client.openapi.models.V1NetworkPolicySpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ServiceAccount;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The instance's namespace and what isolates it: the Namespace (carrying the spec and Pod Security labels), the
 * default-deny NetworkPolicies with their few allowances, and a ServiceAccount without token.
 */
final class NamespaceObjects {

    private static final String[] PRIVATE_RANGES = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"};

    private final K3sSettings settings;
    private final Meta meta;

    NamespaceObjects(K3sSettings settings, Meta meta) {
        this.settings = settings;
        this.meta = meta;
    }

    V1Namespace namespace(InstanceSpec spec, boolean suspended) {
        Map<String, String> labels = Meta.labels(spec, null);
        labels.put("pod-security.kubernetes.io/enforce", settings.podSecurity());
        labels.put("pod-security.kubernetes.io/warn", "restricted");
        labels.put("pod-security.kubernetes.io/audit", "restricted");
        Map<String, String> annotations = new TreeMap<>();
        annotations.put(Labels.SPEC, spec.toJson());
        annotations.put(Labels.APP_VERSION, spec.appVersion());
        annotations.put(Labels.SUSPENDED, Boolean.toString(suspended));
        return new V1Namespace().apiVersion("v1").kind("Namespace")
                .metadata(new V1ObjectMeta().name(meta.namespace(spec.instanceId())).labels(labels).annotations(annotations));
    }

    List<V1NetworkPolicy> networkPolicies(InstanceSpec spec) {
        List<V1NetworkPolicy> out = new ArrayList<>();
        V1LabelSelector all = new V1LabelSelector();
        out.add(policy(spec, "default-deny", new V1NetworkPolicySpec().podSelector(all)
                .policyTypes(List.of("Ingress", "Egress"))));
        V1NetworkPolicyPeer dns = new V1NetworkPolicyPeer()
                .namespaceSelector(namespaceSelector(settings.dnsNamespace()))
                .podSelector(new V1LabelSelector().matchLabels(new TreeMap<>(settings.dnsPodLabels())));
        out.add(policy(spec, "allow-dns", new V1NetworkPolicySpec().podSelector(all).policyTypes(List.of("Egress"))
                .egress(List.of(new V1NetworkPolicyEgressRule().to(List.of(dns)).ports(List.of(
                        new V1NetworkPolicyPort().protocol("UDP").port(new IntOrString(53)),
                        new V1NetworkPolicyPort().protocol("TCP").port(new IntOrString(53))))))));
        V1NetworkPolicyPeer sameNamespace = new V1NetworkPolicyPeer().podSelector(new V1LabelSelector());
        out.add(policy(spec, "allow-same-instance", new V1NetworkPolicySpec().podSelector(all)
                .policyTypes(List.of("Ingress", "Egress"))
                .ingress(List.of(new V1NetworkPolicyIngressRule().from(List.of(sameNamespace))))
                .egress(List.of(new V1NetworkPolicyEgressRule().to(List.of(sameNamespace))))));
        InstanceSpec.Component http = spec.httpComponent();
        if (http != null && !http.ports().isEmpty()) {
            V1NetworkPolicyPeer ingressController = new V1NetworkPolicyPeer()
                    .namespaceSelector(namespaceSelector(settings.ingressNamespace()))
                    .podSelector(new V1LabelSelector().matchLabels(new TreeMap<>(settings.ingressPodLabels())));
            out.add(policy(spec, "allow-from-ingress", new V1NetworkPolicySpec()
                    .podSelector(new V1LabelSelector().matchLabels(Map.of(Labels.COMPONENT, http.name())))
                    .policyTypes(List.of("Ingress"))
                    .ingress(List.of(new V1NetworkPolicyIngressRule().from(List.of(ingressController))
                            .ports(List.of(new V1NetworkPolicyPort().protocol("TCP")
                                    .port(new IntOrString(http.ports().get(0).containerPort()))))))));
        }
        if (settings.internetEgress()) {
            out.add(policy(spec, "allow-internet-egress", new V1NetworkPolicySpec().podSelector(all)
                    .policyTypes(List.of("Egress"))
                    .egress(List.of(new V1NetworkPolicyEgressRule().to(List.of(new V1NetworkPolicyPeer()
                            .ipBlock(new V1IPBlock().cidr("0.0.0.0/0").except(List.of(PRIVATE_RANGES)))))))));
        }
        return out;
    }

    private V1NetworkPolicy policy(InstanceSpec spec, String name, V1NetworkPolicySpec body) {
        return new V1NetworkPolicy().apiVersion("networking.k8s.io/v1").kind("NetworkPolicy")
                .metadata(meta.of(spec, name, null)).spec(body);
    }

    // namespaces are matched by the immutable name label the API server (1.21+) puts on every namespace
    private static V1LabelSelector namespaceSelector(String namespace) {
        return new V1LabelSelector().matchLabels(Map.of("kubernetes.io/metadata.name", namespace));
    }

    V1ServiceAccount serviceAccount(InstanceSpec spec) {
        return new V1ServiceAccount().apiVersion("v1").kind("ServiceAccount")
                .metadata(meta.of(spec, InstanceObjects.SERVICE_ACCOUNT, null)).automountServiceAccountToken(false);
    }
}
