package dev.berth.k3s.objects;

import dev.berth.k3s.K3sSettings;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.SecretValue;
import dev.berth.spi.error.InvalidSpecException;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaimSpec;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1VolumeResourceRequirements;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.berth.k3s.objects.Meta.resources;
import static dev.berth.k3s.objects.Meta.share;

/** The data a component is given: its Secret (the secret environment) and its PersistentVolumeClaims. */
final class DataObjects {

    private final K3sSettings settings;
    private final Meta meta;

    DataObjects(K3sSettings settings, Meta meta) {
        this.settings = settings;
        this.meta = meta;
    }

    V1Secret secret(InstanceSpec spec, InstanceSpec.Component c, Map<String, SecretValue> values) {
        Map<String, byte[]> data = new TreeMap<>();
        for (String key : c.secretKeys()) {
            SecretValue v = values.get(key);
            if (v == null) {
                throw new InvalidSpecException("components[" + c.name() + "].secretEnv." + key, "has no value");
            }
            data.put(key, v.reveal().getBytes(StandardCharsets.UTF_8));
        }
        // data (not stringData): stringData is write-only, so applying it again would never read back as unchanged
        return new V1Secret().apiVersion("v1").kind("Secret").type("Opaque")
                .metadata(meta.of(spec, InstanceObjects.secretName(c.name()), c.name())).data(data);
    }

    /** One claim per volume; the plan's disk is split evenly over them (the first takes the remainder). */
    List<V1PersistentVolumeClaim> claims(InstanceSpec spec) {
        List<V1PersistentVolumeClaim> out = new ArrayList<>();
        int n = Meta.volumeCount(spec);
        int index = 0;
        for (InstanceSpec.Component c : spec.components()) {
            for (ComponentSpec.Volume v : c.volumes()) {
                long size = share(spec.resources().diskBytes(), n, index++ == 0 ? 0 : 1);
                out.add(new V1PersistentVolumeClaim().apiVersion("v1").kind("PersistentVolumeClaim")
                        .metadata(meta.of(spec, InstanceObjects.claimName(c.name(), v.name()), c.name()))
                        .spec(new V1PersistentVolumeClaimSpec().accessModes(List.of("ReadWriteOnce"))
                                .storageClassName(settings.storageClass())
                                .resources(new V1VolumeResourceRequirements().requests(resources("storage", Quantities.bytes(size))))));
            }
        }
        return out;
    }
}
