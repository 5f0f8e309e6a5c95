package dev.berth.docker.create;

import com.github.dockerjava.api.command.InspectVolumeResponse;
import dev.berth.docker.DockerSettings;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.host.DockerLabels;
import dev.berth.spi.ComponentSpec;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The named volumes holding a component's data, one per data path. A restore or migration fills a fresh
 * "generation" of volumes ({@code <prefix>-<slug>-<component>-<volume>-g<n>}) and drops the older ones only
 * once the copy is verified, so a failed restore never destroys the data it was meant to replace.
 */
public final class DataVolumes {

    private final DockerSettings settings;

    /** Volumes named with the configured prefix. */
    public DataVolumes(DockerSettings settings) {
        this.settings = settings;
    }

    /**
     * Volume names of a component, by volume name. Existing volumes (highest generation) are reused;
     * {@code generation > 0} creates fresh volumes of that generation instead.
     */
    public Map<String, String> ensureVolumes(DockerHost host, InstanceSpec spec, ComponentSpec c, int generation,
                                             List<InspectVolumeResponse> existingVolumes) {
        Map<String, String> names = new LinkedHashMap<>();
        for (ComponentSpec.Volume v : c.volumes()) {
            Map<String, String> labels = new HashMap<>(DockerLabels.instance(spec.instanceId()));
            labels.put(DockerLabels.COMPONENT, c.name());
            labels.put(DockerLabels.VOLUME, v.name());
            if (generation == 0) {
                Optional<InspectVolumeResponse> existing = existingVolumes.stream()
                        .filter(x -> x.getLabels() != null && x.getLabels().entrySet().containsAll(labels.entrySet()))
                        .max(Comparator.comparingInt(DataVolumes::generation));
                if (existing.isPresent()) {
                    names.put(v.name(), existing.get().getName());
                    continue;
                }
            }
            int gen = Math.max(generation, 1);
            String name = settings.namePrefix() + "-" + spec.slug() + "-" + c.name() + "-" + v.name() + "-g" + gen;
            labels.put(DockerLabels.GENERATION, Integer.toString(gen));
            labels.putAll(spec.extraLabels());
            host.createVolume(name, labels);
            names.put(v.name(), name);
        }
        return names;
    }

    /** The highest generation among the instance's data volumes on the host, 0 when it has none. */
    public int maxGeneration(DockerHost host, String instanceId) {
        return host.volumes(DockerLabels.instance(instanceId)).stream().filter(DataVolumes::isData)
                .mapToInt(DataVolumes::generation).max().orElse(0);
    }

    /** True for a component's data volume (the plan volume is not one). */
    public static boolean isData(InspectVolumeResponse v) {
        return v.getLabels() != null && v.getLabels().containsKey(DockerLabels.COMPONENT);
    }

    /** The generation a volume belongs to (0 for volumes without one). */
    public static int generation(InspectVolumeResponse v) {
        return v.getLabels() == null ? 0 : Integer.parseInt(v.getLabels().getOrDefault(DockerLabels.GENERATION, "0"));
    }
}
