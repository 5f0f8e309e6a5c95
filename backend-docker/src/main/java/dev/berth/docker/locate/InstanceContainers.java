package dev.berth.docker.locate;

import com.github.dockerjava.api.model.Container;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.host.DockerLabels;

import java.util.Comparator;
import java.util.List;

/**
 * Tells an instance's canonical containers from the rollback copies an upgrade keeps while the new version
 * starts (the old containers renamed with {@link #ROLLBACK_SUFFIX}). Lives with the locating code because
 * everything that lists an instance must skip those copies, and an interrupted upgrade must be undone before
 * anything else touches the instance.
 */
public final class InstanceContainers {

    /** Appended to the name of an old container while an upgrade replaces it. */
    public static final String ROLLBACK_SUFFIX = "-rollback";

    private InstanceContainers() {
    }

    /** The containers that are not rollback copies, in component order. */
    public static List<Container> canonical(List<Container> containers) {
        return containers.stream().filter(c -> !isRollback(c)).sorted(Comparator.comparingInt(InstanceContainers::index)).toList();
    }

    /** The rollback copies among the containers. */
    public static List<Container> rollbacks(List<Container> containers) {
        return containers.stream().filter(InstanceContainers::isRollback).toList();
    }

    /**
     * A previous upgrade stopped half-way (old containers renamed, new ones maybe created): the old version is
     * the known-good one, so the new containers go and the old ones get their names back.
     */
    public static void recoverInterruptedUpgrade(DockerHost host, String instanceId) {
        List<Container> all = host.containers(DockerLabels.instance(instanceId));
        List<Container> old = rollbacks(all);
        if (old.isEmpty()) return;
        for (Container c : canonical(all)) {
            host.remove(c.getId());
        }
        for (Container c : old) {
            String name = c.getNames()[0].replaceFirst("^/", "");
            host.rename(c.getId(), name.substring(0, name.length() - ROLLBACK_SUFFIX.length()));
        }
    }

    private static boolean isRollback(Container c) {
        return c.getNames() != null && c.getNames().length > 0 && c.getNames()[0].endsWith(ROLLBACK_SUFFIX);
    }

    private static int index(Container c) {
        return Integer.parseInt(c.getLabels().getOrDefault(DockerLabels.COMPONENT_INDEX, "0"));
    }
}
