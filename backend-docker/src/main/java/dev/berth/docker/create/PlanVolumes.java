package dev.berth.docker.create;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import dev.berth.docker.DockerSettings;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.host.DockerLabels;
import dev.berth.spi.ResourceLimits;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The plan's disk size, recorded on an empty "plan" volume per instance: Docker cannot cap a named volume on
 * common storage drivers and container labels are immutable, so a plan change replaces this volume instead
 * (see {@link DockerLabels#ROLE}). The container label {@link DockerLabels#DISK_BYTES} is the fallback.
 */
public final class PlanVolumes {

    private final DockerSettings settings;

    /** Plan volumes named with the configured prefix. */
    public PlanVolumes(DockerSettings settings) {
        this.settings = settings;
    }

    /** The spec of an instance as its containers and plan volume describe it. */
    public InstanceSpec specOf(DockerHost host, List<InspectContainerResponse> containers) {
        InstanceSpec spec = InstanceSpec.fromContainers(containers);
        ResourceLimits r = spec.resources();
        long disk = diskBytes(host, spec.instanceId(), r.diskBytes());
        return spec.withResources(new ResourceLimits(r.cpuRequestMillis(), r.cpuLimitMillis(), r.memoryRequestBytes(),
                r.memoryLimitBytes(), disk));
    }

    /** Makes the instance's plan volume say {@code spec}'s disk size (creates the new one, then drops others). */
    public void recordDisk(DockerHost host, InstanceSpec spec) {
        recordDisk(host, spec, host.volumes(DockerLabels.instance(spec.instanceId())));
    }

    /** As {@link #recordDisk(DockerHost, InstanceSpec)} with the instance's volumes already listed. */
    public void recordDisk(DockerHost host, InstanceSpec spec, List<InspectVolumeResponse> instanceVolumes) {
        Map<String, String> filter = new HashMap<>(DockerLabels.instance(spec.instanceId()));
        filter.put(DockerLabels.ROLE, DockerLabels.ROLE_PLAN);
        String disk = Long.toString(spec.resources().diskBytes());
        List<InspectVolumeResponse> existing = instanceVolumes.stream()
                .filter(v -> v.getLabels() != null && DockerLabels.ROLE_PLAN.equals(v.getLabels().get(DockerLabels.ROLE))).toList();
        if (existing.stream().anyMatch(v -> disk.equals(v.getLabels().get(DockerLabels.DISK_BYTES)))) {
            existing.stream().filter(v -> !disk.equals(v.getLabels().get(DockerLabels.DISK_BYTES)))
                    .forEach(v -> host.removeVolume(v.getName()));
            return;
        }
        Map<String, String> labels = new HashMap<>(filter);
        labels.put(DockerLabels.DISK_BYTES, disk);
        labels.putAll(spec.extraLabels());
        host.createVolume(settings.namePrefix() + "-" + spec.slug() + "-plan-" + disk, labels);
        existing.forEach(v -> host.removeVolume(v.getName()));
    }

    /** Disk size of every instance on the host that has a plan volume, by instance id (one API call). */
    public Map<String, Long> planDisks(DockerHost host) {
        Map<String, Long> disks = new HashMap<>();
        for (InspectVolumeResponse v : host.volumes(Map.of(DockerLabels.MANAGED, "true", DockerLabels.ROLE, DockerLabels.ROLE_PLAN))) {
            String disk = v.getLabels().get(DockerLabels.DISK_BYTES);
            if (disk != null) disks.merge(v.getLabels().get(DockerLabels.INSTANCE), Long.parseLong(disk), Math::max);
        }
        return disks;
    }

    /** The disk size on the plan volume, or {@code fallback} (the container label) when there is none. */
    public long diskBytes(DockerHost host, String instanceId, long fallback) {
        Map<String, String> filter = new HashMap<>(DockerLabels.instance(instanceId));
        filter.put(DockerLabels.ROLE, DockerLabels.ROLE_PLAN);
        return host.volumes(filter).stream().map(v -> v.getLabels().get(DockerLabels.DISK_BYTES))
                .filter(Objects::nonNull).mapToLong(Long::parseLong).max().orElse(fallback);
    }
}
