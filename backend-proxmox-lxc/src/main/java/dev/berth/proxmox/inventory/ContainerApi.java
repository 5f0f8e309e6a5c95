package dev.berth.proxmox.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.proxmox.client.ProxmoxClient;
import dev.berth.proxmox.container.Located;
import dev.berth.proxmox.lxc.ProxmoxLxcSettings;
import dev.berth.proxmox.network.Net0;
import dev.berth.spi.error.BerthException;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The API calls about one container that every verb shares: its config, its status, its tasks, starting it
 * and its IPv4 address. Thread-safe (stateless over the client).
 */
public final class ContainerApi {

    private final ProxmoxClient client;
    private final ProxmoxLxcSettings settings;

    /**
     * @param client   the API client
     * @param settings the task timeout of {@link #start}
     */
    public ContainerApi(ProxmoxClient client, ProxmoxLxcSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    /** The container's config ({@code …/config}). */
    public JsonNode config(Located ct) {
        return client.get(ct.path("config"), Map.of());
    }

    /** Changes config keys ({@code PUT …/config}, synchronous). */
    public void put(Located ct, Map<String, ?> params) {
        client.put(ct.path("config"), params);
    }

    /** The container's {@code status/current} (status, lock, usage). */
    public JsonNode current(Located ct) {
        return client.get(ct.path("status/current"), Map.of());
    }

    /** True while the container runs. */
    public boolean isRunning(Located ct) {
        return "running".equals(current(ct).path("status").asText());
    }

    /** Starts a task on {@code sub} of the container and waits for it. */
    public void run(Located ct, String method, String sub, Map<String, ?> params, Duration timeout) {
        client.awaitTask(client.startTask(method, ct.path(sub), params), timeout);
    }

    /** Starts the container; one that already runs (a start that raced ours) is fine. */
    public void start(Located ct) {
        try {
            run(ct, "POST", "status/start", Map.of(), settings.taskTimeout());
        } catch (BerthException e) {
            if (e.getMessage() == null || !e.getMessage().contains("already running")) {
                throw e;
            }
        }
    }

    /** True for the error of stopping a container that is not running (someone else stopped it first). */
    public static boolean notRunning(BerthException e) {
        return e.getMessage() != null && e.getMessage().contains("not running");
    }

    /**
     * The container's IPv4 address: the static one in {@code net0}, else (DHCP) what a running container reports
     * for {@code eth0}; empty while it has none.
     */
    public Optional<String> address(Located ct, JsonNode config) {
        Optional<String> configured = Net0.staticAddress(config.path("net0").asText(""));
        if (configured.isPresent()) {
            return configured;
        }
        if (!isRunning(ct)) {
            return Optional.empty();
        }
        for (JsonNode i : client.get(ct.path("interfaces"), Map.of())) {
            if ("eth0".equals(i.path("name").asText()) && i.hasNonNull("inet")) {
                return Optional.of(i.get("inet").asText().split("/")[0]);
            }
        }
        return Optional.empty();
    }
}
