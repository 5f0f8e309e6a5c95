package dev.berth.spi;

import java.util.List;
import java.util.Map;

/**
 * One process of an instance, fully resolved from the app template for this instance: the app itself or a
 * companion such as its database. Secret env values are {@link SecretValue}s so that printing a spec never
 * shows them.
 *
 * @param name        component name, unique within the instance ("app", "db")
 * @param image       pinned image reference ("n8nio/n8n:1.123.4") for container runtimes
 * @param lxcTemplate Proxmox ostemplate volume id, or {@code null} when the template has none
 * @param ports       ports the component listens on
 * @param volumes     persistent data paths
 * @param env         non-secret environment
 * @param secretEnv   secret environment (passwords, keys)
 * @param readiness   probe that says the component serves, or {@code null}
 * @param http        true for the component the reverse proxy routes the instance's host name to
 */
public record ComponentSpec(String name, String image, String lxcTemplate, List<Port> ports, List<Volume> volumes,
                            Map<String, String> env, Map<String, SecretValue> secretEnv, Readiness readiness,
                            boolean http) {

    public ComponentSpec {
        ports = ports == null ? List.of() : List.copyOf(ports);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        env = env == null ? Map.of() : Map.copyOf(env);
        secretEnv = secretEnv == null ? Map.of() : Map.copyOf(secretEnv);
    }

    /** A port a component listens on. */
    public record Port(String name, int containerPort) { }

    /** A persistent data path. */
    public record Volume(String name, String path) { }

    /**
     * Readiness: an HTTP GET on {@code path} at {@code port} answering 2xx, or, when {@code path} is null, a
     * TCP connect to {@code port}.
     */
    public record Readiness(String path, int port, java.time.Duration timeout) { }
}
