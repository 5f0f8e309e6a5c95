package dev.berth.docker.host;

import com.github.dockerjava.api.command.InspectContainerResponse;

import java.util.Map;

/**
 * The labels Berth puts on every container, volume and network it creates. Inventory, status and
 * reconciliation find Berth's objects by these labels only (names are for humans). Labels carry no secret:
 * only the names of secret variables, never their values.
 */
public final class DockerLabels {

    public static final String MANAGED = "dev.berth.managed";
    public static final String INSTANCE = "dev.berth.instance";
    public static final String TENANT = "dev.berth.tenant";
    public static final String SLUG = "dev.berth.slug";
    public static final String HOSTNAME = "dev.berth.hostname";
    public static final String APP = "dev.berth.app";
    public static final String VERSION = "dev.berth.version";
    public static final String COMPONENT = "dev.berth.component";
    public static final String COMPONENT_INDEX = "dev.berth.component-index";
    public static final String COMPONENT_COUNT = "dev.berth.component-count";
    public static final String HTTP = "dev.berth.http";
    public static final String PORTS = "dev.berth.ports";
    public static final String VOLUMES = "dev.berth.volumes";
    public static final String READINESS = "dev.berth.readiness";
    public static final String ENV_KEYS = "dev.berth.env-keys";
    public static final String SECRET_KEYS = "dev.berth.secret-keys";
    public static final String EXTRA_KEYS = "dev.berth.extra-label-keys";
    public static final String DISK_BYTES = "dev.berth.disk-bytes";
    /** On volumes: the component volume's name. */
    public static final String VOLUME = "dev.berth.volume";
    /**
     * On the instance's empty "plan" volume: Docker labels are immutable and cannot enforce a disk quota on
     * common storage drivers, so the plan's disk size lives on a volume that a plan change replaces.
     */
    public static final String ROLE = "dev.berth.role";
    public static final String ROLE_PLAN = "plan";
    /** On a proxy network Berth created itself (never removed by Berth: other instances use it). */
    public static final String ROLE_PROXY = "proxy";
    /** On volumes: a restore writes into a new generation and drops the older ones once verified. */
    public static final String GENERATION = "dev.berth.generation";

    private DockerLabels() {
    }

    /** Docker's label filter for everything Berth manages. */
    public static Map<String, String> managed() {
        return Map.of(MANAGED, "true");
    }

    /** Docker's label filter for one instance's objects. */
    public static Map<String, String> instance(String instanceId) {
        return Map.of(MANAGED, "true", INSTANCE, instanceId);
    }

    /** The value of label {@code key} on an inspected container, or {@code fallback} when it has none. */
    public static String read(InspectContainerResponse c, String key, String fallback) {
        Map<String, String> labels = c.getConfig().getLabels();
        String v = labels == null ? null : labels.get(key);
        return v == null ? fallback : v;
    }
}
