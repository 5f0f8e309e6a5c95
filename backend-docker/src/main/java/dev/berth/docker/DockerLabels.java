package dev.berth.docker;

import java.util.Map;

/**
 * The labels Berth puts on every container, volume and network it creates. Inventory, status and
 * reconciliation find Berth's objects by these labels only (names are for humans). Labels carry no secret:
 * only the names of secret variables, never their values.
 */
final class DockerLabels {

    static final String MANAGED = "dev.berth.managed";
    static final String INSTANCE = "dev.berth.instance";
    static final String TENANT = "dev.berth.tenant";
    static final String SLUG = "dev.berth.slug";
    static final String HOSTNAME = "dev.berth.hostname";
    static final String APP = "dev.berth.app";
    static final String VERSION = "dev.berth.version";
    static final String COMPONENT = "dev.berth.component";
    static final String COMPONENT_INDEX = "dev.berth.component-index";
    static final String COMPONENT_COUNT = "dev.berth.component-count";
    static final String HTTP = "dev.berth.http";
    static final String PORTS = "dev.berth.ports";
    static final String VOLUMES = "dev.berth.volumes";
    static final String READINESS = "dev.berth.readiness";
    static final String ENV_KEYS = "dev.berth.env-keys";
    static final String SECRET_KEYS = "dev.berth.secret-keys";
    static final String EXTRA_KEYS = "dev.berth.extra-label-keys";
    static final String DISK_BYTES = "dev.berth.disk-bytes";
    /** On volumes: the component volume's name. */
    static final String VOLUME = "dev.berth.volume";
    /**
     * On the instance's empty "plan" volume: Docker labels are immutable and cannot enforce a disk quota on
     * common storage drivers, so the plan's disk size lives on a volume that a plan change replaces.
     */
    static final String ROLE = "dev.berth.role";
    static final String ROLE_PLAN = "plan";
    /** On a proxy network Berth created itself (never removed by Berth: other instances use it). */
    static final String ROLE_PROXY = "proxy";
    /** On volumes: a restore writes into a new generation and drops the older ones once verified. */
    static final String GENERATION = "dev.berth.generation";

    private DockerLabels() {
    }

    /** Docker's label filter for everything Berth manages. */
    static Map<String, String> managed() {
        return Map.of(MANAGED, "true");
    }

    /** Docker's label filter for one instance's objects. */
    static Map<String, String> instance(String instanceId) {
        return Map.of(MANAGED, "true", INSTANCE, instanceId);
    }
}
