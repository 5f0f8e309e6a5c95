package dev.berth.docker.create;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.berth.docker.host.DockerLabels;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.InvalidSpecException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything needed to (re)create an instance's containers. Built from a {@link ProvisionRequest}, or read back
 * from the containers themselves (labels, env, host config), which is how restore and migration recreate an
 * instance without any state outside Docker.
 */
public record InstanceSpec(String instanceId, String tenantId, String slug, String hostname, String appId, String appVersion,
                    List<ComponentSpec> components, ResourceLimits resources, Map<String, String> extraLabels) {

    private static final String NAME = "[a-zA-Z0-9][a-zA-Z0-9_.-]*";

    public InstanceSpec {
        components = List.copyOf(components);
        extraLabels = Map.copyOf(extraLabels);
    }

    /** Validates a request and turns it into a spec. */
    public static InstanceSpec of(ProvisionRequest r) {
        if (r.instanceId() == null || r.instanceId().isBlank()) {
            throw new InvalidSpecException("instanceId", "must not be blank");
        }
        if (r.slug() == null || !r.slug().matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new InvalidSpecException("slug", "must be lower-case letters, digits or '-' (DNS-safe), was '" + r.slug() + "'");
        }
        if (r.resources() == null) {
            throw new InvalidSpecException("resources", "is required");
        }
        if (r.node() == null || r.node().target() == null) {
            throw new InvalidSpecException("node.target", "is required");
        }
        if (r.appVersion() == null || r.appVersion().isBlank()) {
            throw new InvalidSpecException("appVersion", "must not be blank");
        }
        if (r.components().isEmpty()) {
            throw new InvalidSpecException("components", "at least one component is required");
        }
        Set<String> names = new HashSet<>();
        int http = 0;
        for (int i = 0; i < r.components().size(); i++) {
            ComponentSpec c = r.components().get(i);
            String f = "components[" + i + "]";
            if (c.name() == null || !c.name().matches("[a-z0-9][a-z0-9-]{0,30}") || !names.add(c.name())) {
                throw new InvalidSpecException(f + ".name", "must be a unique DNS-safe name, was '" + c.name() + "'");
            }
            if (c.image() == null || c.image().isBlank()) {
                throw new InvalidSpecException(f + ".image", "is required for Docker");
            }
            for (ComponentSpec.Volume v : c.volumes()) {
                if (v.name() == null || !v.name().matches(NAME) || v.path() == null || !v.path().startsWith("/") || v.path().equals("/")) {
                    throw new InvalidSpecException(f + ".volumes", "need a name and an absolute path below '/', was " + v);
                }
            }
            for (String k : c.env().keySet()) {
                if (c.secretEnv().containsKey(k)) {
                    throw new InvalidSpecException(f + ".env." + k, "is both a plain and a secret variable");
                }
            }
            if (c.http()) http++;
        }
        if (http > 1) {
            throw new InvalidSpecException("components", "at most one component can be the HTTP component");
        }
        Map<String, String> extra = new LinkedHashMap<>(r.labels());
        extra.keySet().removeIf(k -> k.startsWith("dev.berth."));
        return new InstanceSpec(r.instanceId(), r.tenantId(), r.slug(), r.hostname(), r.appId(), r.appVersion(),
                r.components(), r.resources(), extra);
    }

    /**
     * Reads the spec back from the instance's containers (at least one). The env is what Berth set (the keys
     * listed in the labels), not the image's defaults.
     */
    public static InstanceSpec fromContainers(List<InspectContainerResponse> containers) {
        List<InspectContainerResponse> sorted = new ArrayList<>(containers);
        sorted.sort(Comparator.comparingInt(c -> Integer.parseInt(DockerLabels.read(c, DockerLabels.COMPONENT_INDEX, "0"))));
        InspectContainerResponse first = sorted.get(0);
        List<ComponentSpec> components = new ArrayList<>();
        for (InspectContainerResponse c : sorted) {
            Map<String, String> env = new LinkedHashMap<>();
            for (String e : c.getConfig().getEnv() == null ? new String[0] : c.getConfig().getEnv()) {
                int eq = e.indexOf('=');
                if (eq > 0) env.put(e.substring(0, eq), e.substring(eq + 1));
            }
            Map<String, String> plain = new LinkedHashMap<>();
            Map<String, SecretValue> secret = new LinkedHashMap<>();
            for (String k : keys(DockerLabels.read(c, DockerLabels.ENV_KEYS, ""))) {
                if (env.containsKey(k)) plain.put(k, env.get(k));
            }
            for (String k : keys(DockerLabels.read(c, DockerLabels.SECRET_KEYS, ""))) {
                if (env.containsKey(k)) secret.put(k, SecretValue.of(env.get(k)));
            }
            components.add(new ComponentSpec(DockerLabels.read(c, DockerLabels.COMPONENT, "app"), c.getConfig().getImage(), null,
                    ports(DockerLabels.read(c, DockerLabels.PORTS, "")), volumes(DockerLabels.read(c, DockerLabels.VOLUMES, "")),
                    plain, secret, readiness(DockerLabels.read(c, DockerLabels.READINESS, "")),
                    Boolean.parseBoolean(DockerLabels.read(c, DockerLabels.HTTP, "false"))));
        }
        ResourceLimits limits = ResourceSplit.readBack(sorted.stream().map(InspectContainerResponse::getHostConfig).toList(),
                Long.parseLong(DockerLabels.read(first, DockerLabels.DISK_BYTES, "0")));
        Map<String, String> extra = new LinkedHashMap<>();
        for (String k : keys(DockerLabels.read(first, DockerLabels.EXTRA_KEYS, ""))) {
            String v = first.getConfig().getLabels().get(k);
            if (v != null) extra.put(k, v);
        }
        return new InstanceSpec(DockerLabels.read(first, DockerLabels.INSTANCE, null),
                DockerLabels.read(first, DockerLabels.TENANT, null), DockerLabels.read(first, DockerLabels.SLUG, null),
                DockerLabels.read(first, DockerLabels.HOSTNAME, null), DockerLabels.read(first, DockerLabels.APP, null),
                DockerLabels.read(first, DockerLabels.VERSION, null), components, limits, extra);
    }

    /** The labels of component {@code index}'s container (identity, layout, no secret values). */
    Map<String, String> containerLabels(int index) {
        ComponentSpec c = components.get(index);
        Map<String, String> l = new LinkedHashMap<>(extraLabels);
        l.putAll(DockerLabels.instance(instanceId));
        put(l, DockerLabels.TENANT, tenantId);
        put(l, DockerLabels.SLUG, slug);
        put(l, DockerLabels.HOSTNAME, hostname);
        put(l, DockerLabels.APP, appId);
        put(l, DockerLabels.VERSION, appVersion);
        l.put(DockerLabels.COMPONENT, c.name());
        l.put(DockerLabels.COMPONENT_INDEX, Integer.toString(index));
        l.put(DockerLabels.COMPONENT_COUNT, Integer.toString(components.size()));
        l.put(DockerLabels.HTTP, Boolean.toString(c.http()));
        l.put(DockerLabels.PORTS, c.ports().stream().map(p -> p.name() + ":" + p.containerPort()).collect(Collectors.joining(",")));
        l.put(DockerLabels.VOLUMES, c.volumes().stream().map(v -> v.name() + ":" + v.path()).collect(Collectors.joining(",")));
        if (c.readiness() != null) {
            ComponentSpec.Readiness r = c.readiness();
            l.put(DockerLabels.READINESS, (r.path() == null ? "" : r.path()) + "|" + r.port() + "|"
                    + (r.timeout() == null ? "" : Long.toString(r.timeout().toMillis())));
        }
        l.put(DockerLabels.ENV_KEYS, String.join(",", c.env().keySet()));
        l.put(DockerLabels.SECRET_KEYS, String.join(",", c.secretEnv().keySet()));
        l.put(DockerLabels.EXTRA_KEYS, String.join(",", extraLabels.keySet()));
        l.put(DockerLabels.DISK_BYTES, Long.toString(resources.diskBytes()));
        return l;
    }

    /** The same spec with other limits. */
    public InstanceSpec withResources(ResourceLimits limits) {
        return new InstanceSpec(instanceId, tenantId, slug, hostname, appId, appVersion, components, limits, extraLabels);
    }

    private static void put(Map<String, String> labels, String key, String value) {
        if (value != null) labels.put(key, value);
    }

    private static List<String> keys(String csv) {
        return csv.isBlank() ? List.of() : Arrays.stream(csv.split(",")).filter(s -> !s.isBlank()).toList();
    }

    private static List<ComponentSpec.Port> ports(String csv) {
        return keys(csv).stream().map(p -> {
            int colon = p.lastIndexOf(':');
            return new ComponentSpec.Port(p.substring(0, colon), Integer.parseInt(p.substring(colon + 1)));
        }).toList();
    }

    private static List<ComponentSpec.Volume> volumes(String csv) {
        return keys(csv).stream().map(v -> {
            int colon = v.indexOf(':');
            return new ComponentSpec.Volume(v.substring(0, colon), v.substring(colon + 1));
        }).toList();
    }

    /** The readiness probe as the {@link DockerLabels#READINESS} label encodes it, or null for none. */
    static ComponentSpec.Readiness readiness(String label) {
        if (label.isBlank()) return null;
        String[] p = label.split("\\|", -1);
        return new ComponentSpec.Readiness(p[0].isEmpty() ? null : p[0], Integer.parseInt(p[1]),
                p[2].isEmpty() ? null : Duration.ofMillis(Long.parseLong(p[2])));
    }
}
