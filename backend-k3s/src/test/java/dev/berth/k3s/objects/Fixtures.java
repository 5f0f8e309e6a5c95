package dev.berth.k3s.objects;

import dev.berth.core.catalog.AppTemplate;
import dev.berth.core.catalog.Catalog;
import dev.berth.core.catalog.InstanceContext;
import dev.berth.core.catalog.SecretSpec;
import dev.berth.core.catalog.TemplateResolver;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.NodeRef;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.SecretValue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Provision requests for the built-in catalog's apps, with fixed fake secrets, for rendering tests. */
public final class Fixtures {

    /** A burstable small plan. */
    public static final ResourceLimits SMALL = new ResourceLimits(250, 1000, 256 * ResourceLimits.MIB, 512 * ResourceLimits.MIB,
            5 * ResourceLimits.GIB);
    /** A larger plan with guaranteed CPU. */
    public static final ResourceLimits LARGE = new ResourceLimits(2000, 2000, ResourceLimits.GIB, 2 * ResourceLimits.GIB,
            20 * ResourceLimits.GIB);

    private Fixtures() {
    }

    /** A request for the built-in {@code appId} at its default version on {@code plan}. */
    public static ProvisionRequest request(String appId, ResourceLimits plan) {
        AppTemplate app = Catalog.builtin().get(appId);
        String id = "inst-" + appId;
        Map<String, SecretValue> secrets = new LinkedHashMap<>();
        for (SecretSpec s : app.secrets()) {
            secrets.put(s.name(), SecretValue.of("fake-" + s.name().toLowerCase()));
        }
        String host = appId + "-demo.apps.example.com";
        List<ComponentSpec> components = new TemplateResolver().resolve(app, app.defaultVersion(),
                new InstanceContext(id, "tenant-7", appId + "-demo", host, "UTC",
                        InstanceContext.Owner.of("owner@example.com", "Ada Lovelace")), secrets);
        return new ProvisionRequest(id, "tenant-7", appId + "-demo", host, appId, app.defaultVersion(), components, plan,
                new NodeRef("node-a", "worker-1", Map.of("berth.dev/node-class", "large", "region", "eu")),
                Map.of("example.com/customer", "c-42"));
    }
}
