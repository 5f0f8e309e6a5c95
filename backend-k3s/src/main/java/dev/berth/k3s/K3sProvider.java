package dev.berth.k3s;

import dev.berth.k3s.backup.K3sBackups;
import dev.berth.k3s.capacity.NodeUsage;
import dev.berth.k3s.exec.K3sExec;
import dev.berth.k3s.kube.InstanceNamespaces;
import dev.berth.k3s.kube.KubeApi;
import dev.berth.k3s.objects.InstanceObjects;
import dev.berth.k3s.objects.Labels;
import dev.berth.k3s.rollout.Workloads;
import dev.berth.spi.BackupSupport;
import dev.berth.spi.ExecSupport;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.backup.BackupStore;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.util.generic.options.ListOptions;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runtime provider for a K3s (or any Kubernetes) cluster: each instance lives in its own namespace with a
 * ResourceQuota and LimitRange from its plan, default-deny NetworkPolicies, a ServiceAccount without token,
 * Secrets, PVCs, one Deployment and Service per component and an Ingress for the HTTP component (see
 * {@link InstanceObjects}). Every write is a server-side apply with Berth's field manager, so provisioning
 * again, a plan change or a reconcile converge without conflicts and an unchanged apply changes nothing.
 *
 * <p>Suspend scales the Deployments to 0 with a merge patch (PVCs and Secrets stay); resume scales them back and
 * waits for kubectl's rollout-status rule; an upgrade whose rollout fails is rolled back to the previous spec;
 * terminate deletes the namespace and waits until it is gone.
 *
 * <p>Backup and restore are the {@link #backups()} capability ({@link K3sBackups}): every PVC of the instance as
 * one tar stream into the {@link BackupStore}, through an archiver Job and the API server's exec. Running a
 * command in a component's pod is the {@link #exec()} capability ({@link K3sExec}), through the same exec.
 *
 * <p>This class is the entry point only: the verbs live in package-private helpers (lifecycle, status) and the
 * capability objects.
 */
public final class K3sProvider implements RuntimeProvider {

    /** The kind this provider registers under. */
    public static final String KIND = "k3s";

    private final KubeApi kube;
    private final InstanceObjects objects;
    private final InstanceStatuses statuses;
    private final Lifecycle lifecycle;
    private final K3sBackups backups;
    private final K3sExec exec;

    /** A provider over an already configured client (tests, hosts with their own client set-up). */
    public K3sProvider(K3sSettings settings, ApiClient client) {
        Objects.requireNonNull(settings, "settings");
        this.kube = new KubeApi(client, settings.fieldManager());
        this.objects = new InstanceObjects(settings);
        InstanceNamespaces namespaces = new InstanceNamespaces(kube, objects);
        Workloads workloads = new Workloads(kube, objects, settings);
        this.statuses = new InstanceStatuses(kube, namespaces, workloads);
        this.lifecycle = new Lifecycle(settings, kube, objects, namespaces, workloads, statuses);
        this.backups = new K3sBackups(settings, kube, objects, namespaces, workloads);
        this.exec = new K3sExec(kube, namespaces);
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** The API access this provider uses (tests read objects through it). */
    public KubeApi kube() {
        return kube;
    }

    /** The object renderer (tests compute names through it). */
    public InstanceObjects objects() {
        return objects;
    }

    // ------------------------------------------------------------------------------------------ verbs

    @Override
    public InstanceStatus provision(ProvisionRequest request) {
        return lifecycle.provision(request);
    }

    @Override
    public void suspend(String instanceId) {
        lifecycle.suspend(instanceId);
    }

    @Override
    public void resume(String instanceId) {
        lifecycle.resume(instanceId);
    }

    @Override
    public InstanceStatus changePlan(String instanceId, ResourceLimits limits) {
        return lifecycle.changePlan(instanceId, limits);
    }

    @Override
    public InstanceStatus upgrade(ProvisionRequest request) {
        return lifecycle.upgrade(request);
    }

    @Override
    public InstanceStatus status(String instanceId) {
        return statuses.status(instanceId);
    }

    @Override
    public List<InstanceStatus> inventory() {
        return statuses.inventory();
    }

    @Override
    public void terminate(String instanceId) {
        lifecycle.terminate(instanceId);
    }

    @Override
    public List<NodeCapacity> nodes() {
        List<V1Node> nodes = kube.list(V1Node.class, null, new ListOptions());
        List<V1Pod> pods = kube.list(V1Pod.class, null,
                new ListOptions().fieldSelector("status.phase!=Succeeded,status.phase!=Failed"));
        List<V1PersistentVolumeClaim> claims = kube.list(V1PersistentVolumeClaim.class, null, new ListOptions());
        return NodeUsage.of(nodes, pods, claims);
    }

    @Override
    public void testConnection() {
        kube.list(V1Namespace.class, null, new ListOptions().labelSelector(Labels.MANAGED_SELECTOR).limit(1));
    }

    /** Releases the HTTP client's threads and pooled connections. Instances are not touched. */
    @Override
    public void close() {
        var http = kube.client().getHttpClient();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    // ------------------------------------------------------------------------------------------ capabilities

    /** Backup and restore of the instance's claims ({@link K3sBackups}). */
    @Override
    public Optional<BackupSupport> backups() {
        return Optional.of(backups);
    }

    /** Commands run in a component's running pod through the API server's exec ({@link K3sExec}). */
    @Override
    public Optional<ExecSupport> exec() {
        return Optional.of(exec);
    }
}
