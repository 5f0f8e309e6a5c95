package dev.berth.docker;

import dev.berth.spi.error.InvalidSpecException;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Configuration of a {@link DockerProvider}. Built from the flat string map a {@link DockerProviderFactory}
 * receives (see {@link #fromMap}), or directly.
 *
 * @param hosts            the Docker hosts, one Berth node each (at least one, unique names)
 * @param namePrefix       prefix of every container, network and volume name ("berth")
 * @param proxyNetwork     existing network of the reverse proxy the HTTP component joins, or null for none
 * @param traefikEntrypoint Traefik entrypoint of the router ("websecure"), or null for Traefik's default
 * @param tlsResolver      Traefik certificate resolver ("letsencrypt"), or null for no TLS on the router
 * @param pidsLimit        process limit of every container
 * @param restartPolicy    Docker restart policy of every container ("unless-stopped", "always", "on-failure")
 * @param readinessTimeout readiness wait of a component whose probe names no timeout
 * @param stopTimeout      grace period of a stop before the engine kills the process
 * @param apiTimeout       timeout of one Docker API call (pulls and archive copies excepted)
 */
public record DockerSettings(List<DockerHostConfig> hosts, String namePrefix, String proxyNetwork, String traefikEntrypoint,
                             String tlsResolver, long pidsLimit, String restartPolicy, Duration readinessTimeout,
                             Duration stopTimeout, Duration apiTimeout) {

    /** Default endpoint of a local daemon. */
    public static final String DEFAULT_SOCKET = "/var/run/docker.sock";

    public DockerSettings {
        hosts = List.copyOf(hosts);
        if (hosts.isEmpty()) {
            throw new InvalidSpecException("hosts", "at least one Docker host is required");
        }
        Set<String> names = new LinkedHashSet<>();
        for (DockerHostConfig h : hosts) {
            if (!names.add(h.name())) {
                throw new InvalidSpecException("hosts", "host name '" + h.name() + "' is used twice");
            }
        }
        if (namePrefix == null || !namePrefix.matches("[a-z0-9][a-z0-9-]{0,15}")) {
            throw new InvalidSpecException("namePrefix", "must be 1-16 lower-case letters, digits or '-'");
        }
        if (pidsLimit <= 0) {
            throw new InvalidSpecException("pidsLimit", "must be positive");
        }
        if (!Set.of("no", "always", "unless-stopped", "on-failure").contains(restartPolicy)) {
            throw new InvalidSpecException("restartPolicy", "must be no, always, unless-stopped or on-failure");
        }
        positive("readinessTimeout", readinessTimeout);
        positive("stopTimeout", stopTimeout);
        positive("apiTimeout", apiTimeout);
    }

    /** Defaults for the given hosts: prefix "berth", no proxy, 512 pids, unless-stopped, 2 min readiness. */
    public static DockerSettings defaults(List<DockerHostConfig> hosts) {
        return new DockerSettings(hosts, "berth", null, null, null, 512, "unless-stopped", Duration.ofMinutes(2),
                Duration.ofSeconds(10), Duration.ofMinutes(2));
    }

    /** A copy with a reverse-proxy network, Traefik entrypoint and TLS resolver. */
    public DockerSettings withProxy(String network, String entrypoint, String resolver) {
        return new DockerSettings(hosts, namePrefix, network, entrypoint, resolver, pidsLimit, restartPolicy,
                readinessTimeout, stopTimeout, apiTimeout);
    }

    /**
     * Reads the factory's configuration map. Keys (all optional):
     * <ul>
     *   <li>{@code hosts}: comma-separated {@code name=endpoint} pairs, default {@code local=unix:///var/run/docker.sock}</li>
     *   <li>{@code hosts.<name>.tlsVerify} ({@code true}/{@code false}), {@code hosts.<name>.certPath},
     *       {@code hosts.<name>.diskBytes}</li>
     *   <li>{@code namePrefix}, {@code proxyNetwork}, {@code traefik.entrypoint}, {@code traefik.tlsResolver},
     *       {@code pidsLimit}, {@code restartPolicy}</li>
     *   <li>{@code readinessTimeout}, {@code stopTimeout}, {@code apiTimeout}: ISO-8601 durations ("PT2M")</li>
     * </ul>
     *
     * @throws InvalidSpecException naming the key that is wrong
     */
    public static DockerSettings fromMap(Map<String, String> config) {
        Map<String, String> c = config == null ? Map.of() : config;
        List<DockerHostConfig> hosts = new ArrayList<>();
        String spec = c.getOrDefault("hosts", "local=unix://" + DEFAULT_SOCKET);
        for (String pair : spec.split(",")) {
            String p = pair.trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new InvalidSpecException("hosts", "expected name=endpoint, was '" + p + "'");
            }
            String name = p.substring(0, eq).trim();
            URI endpoint;
            try {
                endpoint = URI.create(p.substring(eq + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new InvalidSpecException("hosts." + name, "endpoint is not a URI: " + e.getMessage());
            }
            String key = "hosts." + name + ".";
            hosts.add(new DockerHostConfig(name, endpoint, bool(c, key + "tlsVerify"), c.get(key + "certPath"),
                    number(c, key + "diskBytes", 0)));
        }
        DockerSettings d = defaults(hosts.isEmpty() ? List.of(DockerHostConfig.unix("local", DEFAULT_SOCKET)) : hosts);
        return new DockerSettings(d.hosts(), c.getOrDefault("namePrefix", d.namePrefix()), blankToNull(c.get("proxyNetwork")),
                blankToNull(c.get("traefik.entrypoint")), blankToNull(c.get("traefik.tlsResolver")),
                number(c, "pidsLimit", d.pidsLimit()), c.getOrDefault("restartPolicy", d.restartPolicy()),
                duration(c, "readinessTimeout", d.readinessTimeout()), duration(c, "stopTimeout", d.stopTimeout()),
                duration(c, "apiTimeout", d.apiTimeout()));
    }

    /** The host named {@code name}. */
    DockerHostConfig host(String name) {
        return hosts.stream().filter(h -> h.name().equals(name)).findFirst()
                .orElseThrow(() -> new InvalidSpecException("node.target", "no Docker host named '" + name + "'"));
    }

    private static boolean bool(Map<String, String> c, String key) {
        String v = c.get(key);
        if (v == null || v.isBlank()) return false;
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) return Boolean.parseBoolean(v);
        throw new InvalidSpecException(key, "must be true or false, was '" + v + "'");
    }

    private static long number(Map<String, String> c, String key, long fallback) {
        String v = c.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSpecException(key, "must be a whole number, was '" + v + "'");
        }
    }

    private static Duration duration(Map<String, String> c, String key, Duration fallback) {
        String v = c.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Duration.parse(v.trim());
        } catch (DateTimeParseException e) {
            throw new InvalidSpecException(key, "must be an ISO-8601 duration such as PT2M, was '" + v + "'");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static void positive(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new InvalidSpecException(key, "must be a positive duration");
        }
    }
}
