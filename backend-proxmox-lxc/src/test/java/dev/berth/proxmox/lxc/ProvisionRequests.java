package dev.berth.proxmox.lxc;

import dev.berth.proxmox.sim.SimCluster;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.NodeRef;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.SecretValue;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Provision requests for the provider tests (the TCK's test app: one component from the simulator's template). */
public final class ProvisionRequests {

    /** 250m/1000m CPU, 64/128 MiB, 1 GiB. */
    public static final ResourceLimits SMALL = new ResourceLimits(250, 1000, 64 * ResourceLimits.MIB, 128 * ResourceLimits.MIB, ResourceLimits.GIB);

    private ProvisionRequests() {
    }

    /** A fresh instance id. */
    public static String newId() {
        byte[] b = new byte[4];
        ThreadLocalRandom.current().nextBytes(b);
        return "it-" + HexFormat.of().formatHex(b);
    }

    /** A request for {@code id} on {@code node} with {@code limits} at {@code version}. */
    public static ProvisionRequest request(String id, String node, ResourceLimits limits, String version) {
        ComponentSpec app = new ComponentSpec("app", null, SimCluster.TEMPLATE, List.of(new ComponentSpec.Port("http", 8080)),
                List.of(new ComponentSpec.Volume("data", "/var/lib/testapp")), Map.of("APP_HOST", id + ".example.test"),
                Map.of("APP_SECRET", SecretValue.of("s3cret-" + id)), null, true);
        return new ProvisionRequest(id, "tenant-1", id, id + ".example.test", "testapp", version, List.of(app), limits,
                new NodeRef("node-" + node, node, Map.of()), Map.of());
    }

    /** The small plan on {@code node} at version 1.0.0. */
    public static ProvisionRequest request(String id, String node) {
        return request(id, node, SMALL, "1.0.0");
    }
}
