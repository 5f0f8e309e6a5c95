package dev.berth.k3s.objects;

import dev.berth.k3s.K3sSettings;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.V1HTTPIngressPath;
import io.kubernetes.client.openapi.models.V1HTTPIngressRuleValue;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressBackend;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.kubernetes.client.openapi.models.V1IngressServiceBackend;
import io.kubernetes.client.openapi.models.V1IngressSpec;
import io.kubernetes.client.openapi.models.V1IngressTLS;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceBackendPort;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** How a component is reached: a ClusterIP Service per component with ports, and the HTTP component's Ingress. */
final class ServiceObjects {

    private final K3sSettings settings;
    private final Meta meta;

    ServiceObjects(K3sSettings settings, Meta meta) {
        this.settings = settings;
        this.meta = meta;
    }

    V1Service service(InstanceSpec spec, InstanceSpec.Component c) {
        List<V1ServicePort> ports = c.ports().stream().map(p -> new V1ServicePort().name(p.name()).protocol("TCP")
                .port(p.containerPort()).targetPort(new IntOrString(p.containerPort()))).toList();
        return new V1Service().apiVersion("v1").kind("Service").metadata(meta.of(spec, c.name(), c.name()))
                .spec(new V1ServiceSpec().type("ClusterIP").ports(ports)
                        .selector(new TreeMap<>(Map.of(Labels.INSTANCE, spec.instanceId(), Labels.COMPONENT, c.name()))));
    }

    V1Ingress ingress(InstanceSpec spec, InstanceSpec.Component http) {
        Map<String, String> annotations = new TreeMap<>();
        V1IngressSpec body = new V1IngressSpec().ingressClassName(settings.ingressClass())
                .rules(List.of(new V1IngressRule().host(spec.hostname()).http(new V1HTTPIngressRuleValue().paths(List.of(
                        new V1HTTPIngressPath().path("/").pathType("Prefix").backend(new V1IngressBackend().service(
                                new V1IngressServiceBackend().name(http.name()).port(
                                        new V1ServiceBackendPort().number(http.ports().get(0).containerPort())))))))));
        if (settings.tls()) {
            body.tls(List.of(new V1IngressTLS().hosts(List.of(spec.hostname())).secretName(spec.slug() + "-tls")));
            annotations.put("traefik.ingress.kubernetes.io/router.entrypoints", "websecure");
            annotations.put("traefik.ingress.kubernetes.io/router.tls", "true");
            if (settings.clusterIssuer() != null) {
                annotations.put("cert-manager.io/cluster-issuer", settings.clusterIssuer());
            }
        }
        V1ObjectMeta metadata = meta.of(spec, spec.slug(), http.name());
        if (!annotations.isEmpty()) {
            metadata.annotations(annotations);
        }
        return new V1Ingress().apiVersion("networking.k8s.io/v1").kind("Ingress").metadata(metadata).spec(body);
    }
}
