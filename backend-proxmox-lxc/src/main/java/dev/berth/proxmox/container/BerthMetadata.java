package dev.berth.proxmox.container;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Berth keeps in a container's description (the config comment Proxmox shows in the CT summary): the
 * instance, tenant, app, version and memory request. Tags ({@code berth}, {@code berth-i-<instance>}) make the
 * container findable in {@code /cluster/resources}; the description carries the rest. No secret goes here.
 *
 * @param instanceId       Berth's instance id
 * @param tenantId         owning tenant
 * @param appId            catalog app
 * @param appVersion       app version the container runs
 * @param memoryRequestMib guaranteed memory of the plan (LXC has no reservation; placement counts it)
 * @param httpPort         port of the HTTP component inside the container, 0 when none
 * @param hostKeys         SSH host key fingerprints Proxmox reported at creation (empty for clones)
 */
public record BerthMetadata(String instanceId, String tenantId, String appId, String appVersion, long memoryRequestMib,
                     int httpPort, List<String> hostKeys) {

    public BerthMetadata {
        hostKeys = hostKeys == null ? List.of() : List.copyOf(hostKeys);
    }

    static final String HEADER = "Managed by Berth - do not edit the lines below.";
    private static final Pattern LINE = Pattern.compile("^berth\\.([a-z-]+): (.*)$", Pattern.MULTILINE);

    /** The description text. */
    public String render() {
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("instance", instanceId);
        kv.put("tenant", tenantId);
        kv.put("app", appId);
        kv.put("version", appVersion);
        kv.put("memory-request-mib", Long.toString(memoryRequestMib));
        if (httpPort > 0) {
            kv.put("http-port", Integer.toString(httpPort));
        }
        if (!hostKeys.isEmpty()) {
            kv.put("ssh-host-keys", String.join(",", hostKeys));
        }
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        kv.forEach((k, v) -> out.append("berth.").append(k).append(": ").append(v).append('\n'));
        return out.toString();
    }

    /** Parses a description; missing fields are null / 0. */
    public static BerthMetadata parse(String description) {
        Map<String, String> kv = new LinkedHashMap<>();
        if (description != null) {
            Matcher m = LINE.matcher(description);
            while (m.find()) {
                kv.put(m.group(1), m.group(2).strip());
            }
        }
        return new BerthMetadata(kv.get("instance"), kv.get("tenant"), kv.get("app"), kv.get("version"),
                number(kv.get("memory-request-mib")), (int) number(kv.get("http-port")),
                kv.containsKey("ssh-host-keys") ? List.of(kv.get("ssh-host-keys").split(",")) : List.of());
    }

    /** The metadata in a container config's {@code description}. */
    public static BerthMetadata of(JsonNode config) {
        return parse(config.path("description").asText(null));
    }

    private static long number(String text) {
        try {
            return text == null ? 0 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0; // a hand-edited description: treat as unknown
        }
    }

    public BerthMetadata withVersion(String version) {
        return new BerthMetadata(instanceId, tenantId, appId, version, memoryRequestMib, httpPort, hostKeys);
    }

    public BerthMetadata withMemoryRequestMib(long mib) {
        return new BerthMetadata(instanceId, tenantId, appId, appVersion, mib, httpPort, hostKeys);
    }

    public BerthMetadata withHostKeys(List<String> fingerprints) {
        return new BerthMetadata(instanceId, tenantId, appId, appVersion, memoryRequestMib, httpPort, fingerprints);
    }
}
