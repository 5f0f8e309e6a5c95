package dev.berth.k3s.objects;

import com.google.gson.Gson;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.error.InvalidSpecException;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The non-secret part of a {@link ProvisionRequest}: everything needed to render an instance's objects again
 * (plan change, suspend, rollback) without the request. Kept as JSON in an annotation of the instance's
 * namespace; secret values are not part of it (pods reference them by key in the instance's Secrets).
 *
 * @param instanceId  Berth's instance id
 * @param tenantId    owning tenant
 * @param slug        DNS-safe short name
 * @param hostname    public host name of the HTTP component
 * @param appId       catalog app id
 * @param appVersion  app version
 * @param components  the components, secret values replaced by their keys
 * @param resources   the plan's resources for the whole instance
 * @param nodeTarget  the Berth node's target (a K3s node name, or the cluster)
 * @param nodeLabels  the Berth node's labels
 * @param labels      extra labels for every object
 */
public record InstanceSpec(String instanceId, String tenantId, String slug, String hostname, String appId,
                           String appVersion, List<Component> components, ResourceLimits resources, String nodeTarget,
                           Map<String, String> nodeLabels, Map<String, String> labels) {

    private static final Gson GSON = new Gson();
    // label values: at most 63 characters, alphanumerics and -_. inside (Kubernetes' rule)
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?");
    // Kubernetes' rule for environment variable names (also valid Secret data keys)
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public InstanceSpec {
        components = List.copyOf(components);
        nodeLabels = sorted(nodeLabels);
        labels = sorted(labels);
    }

    /**
     * One component.
     *
     * @param secretKeys keys of its secret environment, whose values live in the component's Secret
     */
    public record Component(String name, String image, List<ComponentSpec.Port> ports, List<ComponentSpec.Volume> volumes,
                            Map<String, String> env, List<String> secretKeys, Probe readiness, boolean http) {
        public Component {
            ports = ports == null ? List.of() : List.copyOf(ports);
            volumes = volumes == null ? List.of() : List.copyOf(volumes);
            env = sorted(env);
            secretKeys = secretKeys == null ? List.of() : List.copyOf(secretKeys);
        }
    }

    /** A readiness probe: HTTP GET {@code path} (or TCP when null) on {@code port}, first success within {@code timeoutSeconds}. */
    public record Probe(String path, int port, long timeoutSeconds) { }

    /**
     * The spec of a request, validated for Kubernetes names.
     *
     * @throws InvalidSpecException naming the field Kubernetes could not accept
     */
    public static InstanceSpec of(ProvisionRequest r) {
        labelValue("instanceId", r.instanceId());
        labelValue("tenantId", r.tenantId());
        labelValue("appId", r.appId());
        labelValue("appVersion", r.appVersion());
        dnsLabel("slug", r.slug());
        if (r.components().isEmpty()) {
            throw new InvalidSpecException("components", "at least one component is required");
        }
        List<Component> components = r.components().stream().map(c -> {
            dnsLabel("components[" + c.name() + "].name", c.name());
            for (ComponentSpec.Volume v : c.volumes()) {
                dnsLabel("components[" + c.name() + "].volumes[" + v.name() + "].name", v.name());
            }
            c.env().keySet().forEach(k -> envName("components[" + c.name() + "].env." + k, k));
            c.secretEnv().keySet().forEach(k -> envName("components[" + c.name() + "].secretEnv." + k, k));
            if (c.image() == null || c.image().isBlank()) {
                throw new InvalidSpecException("components[" + c.name() + "].image", "is required on Kubernetes");
            }
            Probe probe = c.readiness() == null ? null : new Probe(c.readiness().path(), c.readiness().port(),
                    c.readiness().timeout() == null ? 120 : Math.max(1, c.readiness().timeout().toSeconds()));
            return new Component(c.name(), c.image(), c.ports(), c.volumes(), new TreeMap<>(c.env()),
                    c.secretEnv().keySet().stream().sorted().toList(), probe, c.http());
        }).toList();
        r.labels().forEach((k, v) -> labelValue("labels[" + k + "]", v));
        return new InstanceSpec(r.instanceId(), r.tenantId(), r.slug(), r.hostname(), r.appId(), r.appVersion(), components,
                r.resources(), r.node() == null ? null : r.node().target(), r.node() == null ? Map.of() : r.node().labels(),
                r.labels());
    }

    /** The same spec with other resources (plan change). */
    public InstanceSpec withResources(ResourceLimits newResources) {
        return new InstanceSpec(instanceId, tenantId, slug, hostname, appId, appVersion, components, newResources, nodeTarget,
                nodeLabels, labels);
    }

    /** The HTTP component, or null when the app has none. */
    public Component httpComponent() {
        return components.stream().filter(Component::http).findFirst().orElse(null);
    }

    /** JSON for the namespace annotation. */
    public String toJson() {
        return GSON.toJson(this);
    }

    /** Reads {@link #toJson()}'s output. */
    public static InstanceSpec fromJson(String json) {
        return GSON.fromJson(json, InstanceSpec.class);
    }

    // sorted copies: the spec is serialised into an annotation and rendered into pod templates, and both must be
    // byte-for-byte stable across processes for a repeated apply to be a no-op (Map.copyOf's order is per JVM)
    private static Map<String, String> sorted(Map<String, String> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(map));
    }

    static void labelValue(String field, String value) {
        if (value == null || value.isEmpty() || !LABEL_VALUE.matcher(value).matches()) {
            throw new InvalidSpecException(field, "must be 1-63 letters, digits, '-', '_' or '.', starting and ending alphanumeric");
        }
    }

    private static void envName(String field, String value) {
        if (!ENV_NAME.matcher(value).matches()) {
            throw new InvalidSpecException(field, "is not a valid environment variable name on Kubernetes");
        }
    }

    static void dnsLabel(String field, String value) {
        if (value == null || !DNS_LABEL.matcher(value).matches()) {
            throw new InvalidSpecException(field, "must be a DNS label: 1-63 lower-case letters, digits or '-'");
        }
    }
}
