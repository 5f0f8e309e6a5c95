package dev.berth.proxmox.create;

import dev.berth.proxmox.container.BerthMetadata;
import dev.berth.proxmox.container.BerthTags;
import dev.berth.proxmox.container.LxcSizing;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.error.InvalidSpecException;

import java.util.Objects;

/**
 * What a {@link ProvisionRequest} must satisfy to become a container, checked before anything changes, and
 * what Berth derives from it (template, metadata).
 */
public final class Requests {

    private Requests() {
    }

    /** Rejects a request that cannot become a container (bad id, limits, node, slug or no template). */
    public static void validate(ProvisionRequest r) {
        Objects.requireNonNull(r, "request");
        if (!BerthTags.usable(r.instanceId())) {
            throw new InvalidSpecException("instanceId", "must be usable in a Proxmox tag ([A-Za-z0-9_][A-Za-z0-9_+.-]*)");
        }
        if (r.resources() == null) {
            throw new InvalidSpecException("resources", "is required");
        }
        LxcSizing.validate(r.resources());
        if (r.node() == null || r.node().target() == null || r.node().target().isBlank()) {
            throw new InvalidSpecException("node.target", "is required (the Proxmox node name)");
        }
        if (r.slug() == null || !r.slug().matches("[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?")) {
            throw new InvalidSpecException("slug", "must be a DNS label (it becomes the container's hostname)");
        }
        template(r);
    }

    /** The first component's {@code lxcTemplate}: an ostemplate volume or {@code clone:<vmid>}. */
    static String template(ProvisionRequest r) {
        return r.components().stream().map(ComponentSpec::lxcTemplate).filter(Objects::nonNull).findFirst()
                .orElseThrow(() -> new InvalidSpecException("components.lxcTemplate",
                        "no component names an LXC template (ostemplate volume or clone:<vmid>)"));
    }

    /** Berth's metadata for the container of {@code r} with {@code limits}. */
    static BerthMetadata metadata(ProvisionRequest r, ResourceLimits limits) {
        int httpPort = r.components().stream().filter(ComponentSpec::http).flatMap(c -> c.ports().stream())
                .mapToInt(ComponentSpec.Port::containerPort).findFirst().orElse(0);
        return new BerthMetadata(r.instanceId(), r.tenantId(), r.appId(), r.appVersion(),
                limits.memoryRequestBytes() / ResourceLimits.MIB, httpPort, null);
    }
}
