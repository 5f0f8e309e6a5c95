package dev.berth.k3s.kube;

import dev.berth.k3s.objects.InstanceObjects;
import dev.berth.k3s.objects.InstanceSpec;
import dev.berth.k3s.objects.Labels;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import io.kubernetes.client.openapi.models.V1Namespace;

/**
 * Finds an instance in the cluster: its namespace is the record of it, carrying the {@link InstanceSpec} Berth
 * applied and whether it is suspended. A namespace being deleted, or one without a spec, holds no instance.
 */
public final class InstanceNamespaces {

    private final KubeApi kube;
    private final InstanceObjects objects;

    /** Looks instances up through {@code kube}, naming namespaces as {@code objects} does. */
    public InstanceNamespaces(KubeApi kube, InstanceObjects objects) {
        this.kube = kube;
        this.objects = objects;
    }

    /**
     * The instance's namespace.
     *
     * @throws NotFoundException when there is none, it is being deleted or it carries no spec
     */
    public V1Namespace existing(String instanceId) {
        String name;
        try {
            name = objects.namespace(instanceId);
        } catch (InvalidSpecException e) {
            throw new NotFoundException("instance", instanceId);   // no namespace can carry such an id
        }
        V1Namespace ns = kube.get(V1Namespace.class, null, name).orElseThrow(() -> new NotFoundException("instance", instanceId));
        if (ns.getMetadata().getDeletionTimestamp() != null || ns.getMetadata().getAnnotations() == null
                || ns.getMetadata().getAnnotations().get(Labels.SPEC) == null) {
            throw new NotFoundException("instance", instanceId);
        }
        return ns;
    }

    /** The spec stored on an instance's namespace (one {@link #existing} returned). */
    public static InstanceSpec spec(V1Namespace ns) {
        return InstanceSpec.fromJson(ns.getMetadata().getAnnotations().get(Labels.SPEC));
    }

    /** Whether the instance was suspended (read from its namespace, one {@link #existing} returned). */
    public static boolean suspended(V1Namespace ns) {
        return "true".equals(ns.getMetadata().getAnnotations().get(Labels.SUSPENDED));
    }
}
