package dev.berth.spi;

import java.util.List;
import java.util.Map;

/**
 * Everything a runtime needs to create one instance. Immutable; the same request sent twice must yield the
 * same single instance (providers key everything on {@link #instanceId()}).
 *
 * @param instanceId Berth's id of the instance; the provider's idempotency key
 * @param tenantId   owning tenant, for labels and isolation
 * @param slug       short DNS-safe name ("cli123"), used for runtime object names
 * @param hostname   public host name the HTTP component answers on ("cli123.n8n.example.com")
 * @param appId      catalog id of the app ("n8n")
 * @param appVersion pinned app version
 * @param components resolved components (app, database, …)
 * @param resources  the plan's limits, applied to the instance as a whole
 * @param node       where to create it
 * @param labels     extra labels the provider attaches to every object it creates
 */
public record ProvisionRequest(String instanceId, String tenantId, String slug, String hostname, String appId,
                               String appVersion, List<ComponentSpec> components, ResourceLimits resources,
                               NodeRef node, Map<String, String> labels) {
    public ProvisionRequest {
        components = List.copyOf(components);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
