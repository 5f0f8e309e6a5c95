package dev.berth.k3s;

import dev.berth.k3s.backup.ClaimArchiver;
import dev.berth.k3s.capacity.NodeUsage;
import dev.berth.k3s.kube.KubeApi;
import dev.berth.k3s.objects.InstanceObjects;
import dev.berth.k3s.objects.InstanceSpec;
import dev.berth.k3s.objects.Labels;
import dev.berth.k3s.objects.Quantities;
import dev.berth.k3s.rollout.Rollout;
import dev.berth.spi.BackupSupport;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.SecretValue;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.util.generic.options.ListOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Backup archives every PVC of the instance as one tar stream into the {@link BackupStore}, while the app
 * keeps running; restore verifies the archive against its manifest, stops the pods, replaces the claims'
 * contents and starts them again if they ran. Both work through an archiver Job and the API server's exec
 * ({@link ClaimArchiver}), so Berth needs no other route into the cluster.
 */
public final class K3sProvider implements RuntimeProvider, BackupSupport {

    /** The kind this provider registers under. */
    public static final String KIND = "k3s";

    private static final Logger log = LoggerFactory.getLogger(K3sProvider.class);
    private static final Duration POLL = Duration.ofMillis(500);
    /** An empty tar archive (two zero blocks): the backup of an instance without volumes. */
    private static final byte[] EMPTY_TAR = new byte[1024];

    private final K3sSettings settings;
    private final KubeApi kube;
    private final InstanceObjects objects;
    private final ClaimArchiver archiver;

    /** A provider over an already configured client (tests, hosts with their own client set-up). */
    public K3sProvider(K3sSettings settings, ApiClient client) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.kube = new KubeApi(client, settings.fieldManager());
        this.objects = new InstanceObjects(settings);
        this.archiver = new ClaimArchiver(kube, objects, settings);
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
        InstanceSpec spec = InstanceSpec.of(request);
        kube.get(V1Namespace.class, null, objects.namespace(spec.instanceId())).ifPresent(this::refuseWhileTerminating);
        applyAll(spec, secrets(request), false);
        log.info("provisioned instance {} in namespace {}", spec.instanceId(), objects.namespace(spec.instanceId()));
        return status(spec.instanceId());
    }

    @Override
    public void suspend(String instanceId) {
        String ns = existingNamespace(instanceId).getMetadata().getName();
        kube.mergePatch(V1Namespace.class, null, ns, "{\"metadata\":{\"annotations\":{\"" + Labels.SUSPENDED + "\":\"true\"}}}");
        scaleTo(instanceId, 0);
        log.info("suspended instance {}", instanceId);
    }

    @Override
    public void resume(String instanceId) {
        String ns = existingNamespace(instanceId).getMetadata().getName();
        kube.mergePatch(V1Namespace.class, null, ns, "{\"metadata\":{\"annotations\":{\"" + Labels.SUSPENDED + "\":\"false\"}}}");
        scaleTo(instanceId, 1);
        Rollout.State state = awaitRollout(instanceId);
        if (state != Rollout.State.COMPLETE) {
            throw new UnavailableException("instance " + instanceId + ": resumed, but the rollout is " + state
                    + " after " + settings.rolloutTimeout());
        }
        log.info("resumed instance {}", instanceId);
    }

    @Override
    public InstanceStatus changePlan(String instanceId, ResourceLimits limits) {
        V1Namespace ns = existingNamespace(instanceId);
        InstanceSpec spec = spec(ns).withResources(limits);
        applyAll(spec, null, suspended(ns));
        log.info("applied new limits to instance {}", instanceId);
        return status(instanceId);
    }

    @Override
    public InstanceStatus upgrade(ProvisionRequest request) {
        V1Namespace ns = existingNamespace(request.instanceId());
        InstanceSpec previous = spec(ns);
        InstanceSpec next = InstanceSpec.of(request);
        boolean suspended = suspended(ns);
        applyAll(next, secrets(request), suspended);
        Rollout.State state = awaitRollout(request.instanceId());
        if (state != Rollout.State.COMPLETE) {
            log.warn("upgrade of instance {} to {} did not roll out ({}); rolling back to {}", request.instanceId(),
                    next.appVersion(), state, previous.appVersion());
            applyAll(previous, null, suspended);
            Rollout.State back = awaitRollout(request.instanceId());
            throw new BerthException("instance " + request.instanceId() + ": upgrade to " + next.appVersion() + " failed ("
                    + state + "); rolled back to " + previous.appVersion() + " (rollback " + back + ")", false);
        }
        log.info("upgraded instance {} to {}", request.instanceId(), next.appVersion());
        return status(request.instanceId());
    }

    @Override
    public InstanceStatus status(String instanceId) {
        return statusOf(existingNamespace(instanceId));
    }

    @Override
    public List<InstanceStatus> inventory() {
        List<InstanceStatus> out = new ArrayList<>();
        for (V1Namespace ns : kube.list(V1Namespace.class, null, Labels.MANAGED_SELECTOR)) {
            Map<String, String> annotations = ns.getMetadata().getAnnotations();
            if (ns.getMetadata().getDeletionTimestamp() != null || annotations == null || !annotations.containsKey(Labels.SPEC)) {
                continue;   // being deleted, or labelled by someone else without an instance spec
            }
            try {
                out.add(statusOf(ns));
            } catch (NotFoundException e) {
                // deleted between the list and the reads: it is not held any more
            }
        }
        out.sort(Comparator.comparing(InstanceStatus::instanceId));
        return out;
    }

    @Override
    public void terminate(String instanceId) {
        String ns = objects.namespace(instanceId);
        kube.delete(V1Namespace.class, null, ns);
        Instant deadline = Instant.now().plus(settings.terminateTimeout());
        while (kube.get(V1Namespace.class, null, ns).isPresent()) {
            if (Instant.now().isAfter(deadline)) {
                throw new UnavailableException("instance " + instanceId + ": namespace " + ns + " still terminating after "
                        + settings.terminateTimeout());
            }
            pause();
        }
        log.info("terminated instance {}", instanceId);
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

    // ------------------------------------------------------------------------------------------ backup / restore

    @Override
    public Optional<BackupSupport> backups() {
        return Optional.of(this);
    }

    /**
     * {@inheritDoc} Runs tar over all the instance's claims in an archiver pod on the node its pods run on (the
     * app keeps running, so the archive is crash-consistent, as after a power cut) and streams it into
     * {@code store}; a tar that fails makes the store's write fail, so no partial archive is kept.
     */
    @Override
    public BackupManifest backup(String instanceId, String backupId, BackupStore store) {
        Objects.requireNonNull(store, "store");
        if (backupId == null || backupId.isBlank()) {
            throw new InvalidSpecException("backupId", "must not be blank");
        }
        V1Namespace ns = existingNamespace(instanceId);
        InstanceSpec spec = spec(ns);
        List<String> claims = InstanceObjects.claimNames(spec);
        BackupManifest draft = new BackupManifest(backupId, instanceId, spec.appId(), spec.appVersion(), Instant.now(), 0, null, null);
        BackupManifest stored = claims.isEmpty()
                ? store.put(draft, new ByteArrayInputStream(EMPTY_TAR))
                : archiver.backup(spec, claims, runningNode(instanceId), in -> store.put(draft, in));
        log.info("backed up instance {} ({} claims, {} bytes) as {}", instanceId, claims.size(), stored.sizeBytes(), backupId);
        return stored;
    }

    /**
     * {@inheritDoc} The archive is copied out of the store and checked against the manifest's size and SHA-256
     * first (a mismatch changes nothing); then the Deployments are scaled to 0, the archiver unpacks the archive
     * into scratch space and only then replaces each claim's contents, and the Deployments come back if they ran.
     */
    @Override
    public void restore(String instanceId, BackupManifest backup, BackupStore store) {
        Objects.requireNonNull(backup, "backup");
        Objects.requireNonNull(store, "store");
        V1Namespace ns = existingNamespace(instanceId);
        InstanceSpec spec = spec(ns);
        Path archive;
        try {
            archive = Files.createTempFile("berth-k3s-restore-", ".tar");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            long size = copyVerified(store, backup, archive);
            List<String> claims = InstanceObjects.claimNames(spec);
            if (claims.isEmpty()) {
                return;
            }
            boolean running = !suspended(ns);
            scaleTo(instanceId, 0);
            try {
                awaitNoAppPods(instanceId);
                archiver.restore(spec, claims, archive, size);
            } finally {
                if (running) {
                    scaleTo(instanceId, 1);   // also after a failure: a failed restore must not leave the app down
                }
            }
            if (running && awaitRollout(instanceId) != Rollout.State.COMPLETE) {
                throw new UnavailableException("instance " + instanceId + ": data restored, but the rollout did not complete within "
                        + settings.rolloutTimeout());
            }
            log.info("restored instance {} from {}", instanceId, backup.backupId());
        } finally {
            try {
                Files.deleteIfExists(archive);
            } catch (IOException e) {
                log.warn("could not delete temporary archive {}: {}", archive, e.toString());
            }
        }
    }

    /** Copies the archive to {@code file}, failing (nothing changed yet) unless size and SHA-256 match the manifest. */
    private static long copyVerified(BackupStore store, BackupManifest backup, Path file) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        try (InputStream in = store.open(backup.backupId());
             OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha256)) {
            in.transferTo(out);
        } catch (IOException e) {
            throw new UnavailableException("reading backup " + backup.backupId() + " failed", e);
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String digest = HexFormat.of().formatHex(sha256.digest());
        if ((backup.sizeBytes() > 0 && size != backup.sizeBytes()) || (backup.sha256() != null && !backup.sha256().equalsIgnoreCase(digest))) {
            throw new BerthException("backup " + backup.backupId() + " does not match its manifest (size or SHA-256); nothing was restored", false);
        }
        return size;
    }

    /** Sets every Deployment's replicas with a merge patch (no resourceVersion, so it never races a controller). */
    private void scaleTo(String instanceId, int replicas) {
        String ns = objects.namespace(instanceId);
        for (V1Deployment d : deployments(instanceId)) {
            kube.mergePatch(V1Deployment.class, ns, d.getMetadata().getName(), "{\"spec\":{\"replicas\":" + replicas + "}}");
        }
    }

    /** Waits until the app's pods are gone, so that no running container writes to a claim being replaced. */
    private void awaitNoAppPods(String instanceId) {
        String selector = Labels.instanceSelector(instanceId) + "," + Labels.COMPONENT + "!=" + InstanceObjects.ARCHIVER;
        Instant deadline = Instant.now().plus(settings.rolloutTimeout());
        while (!kube.list(V1Pod.class, objects.namespace(instanceId), selector).isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new UnavailableException("instance " + instanceId + ": pods still running " + settings.rolloutTimeout()
                        + " after scaling to 0; nothing was restored");
            }
            pause();
        }
    }

    /** The node the instance's pods are bound to, or null when none is. */
    private String runningNode(String instanceId) {
        return kube.list(V1Pod.class, objects.namespace(instanceId), Labels.instanceSelector(instanceId)).stream()
                .map(p -> p.getSpec().getNodeName()).filter(Objects::nonNull).findFirst().orElse(null);
    }

    // ------------------------------------------------------------------------------------------ internals

    private void applyAll(InstanceSpec spec, Map<String, Map<String, SecretValue>> secrets, boolean suspended) {
        for (KubernetesObject object : objects.render(spec, secrets, suspended)) {
            if (object instanceof V1PersistentVolumeClaim claim && kube.get(V1PersistentVolumeClaim.class,
                    claim.getMetadata().getNamespace(), claim.getMetadata().getName()).isPresent()) {
                // a claim's spec is immutable once created (only a bound claim may grow, where the storage class
                // allows it): the plan's disk change is enforced by the ResourceQuota instead
                continue;
            }
            kube.apply(object);
        }
    }

    private static Map<String, Map<String, SecretValue>> secrets(ProvisionRequest request) {
        Map<String, Map<String, SecretValue>> out = new LinkedHashMap<>();
        for (ComponentSpec c : request.components()) {
            out.put(c.name(), c.secretEnv());
        }
        return out;
    }

    private V1Namespace existingNamespace(String instanceId) {
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

    private void refuseWhileTerminating(V1Namespace ns) {
        if (ns.getMetadata().getDeletionTimestamp() != null) {
            throw new ConflictException("namespace " + ns.getMetadata().getName() + " is still being deleted; retry later");
        }
    }

    private static InstanceSpec spec(V1Namespace ns) {
        return InstanceSpec.fromJson(ns.getMetadata().getAnnotations().get(Labels.SPEC));
    }

    private static boolean suspended(V1Namespace ns) {
        return "true".equals(ns.getMetadata().getAnnotations().get(Labels.SUSPENDED));
    }

    private List<V1Deployment> deployments(String instanceId) {
        return kube.list(V1Deployment.class, objects.namespace(instanceId), Labels.instanceSelector(instanceId));
    }

    private Rollout.State awaitRollout(String instanceId) {
        Instant deadline = Instant.now().plus(settings.rolloutTimeout());
        while (true) {
            Rollout.State state = rolloutOf(deployments(instanceId));
            if (state != Rollout.State.WAITING || Instant.now().isAfter(deadline)) {
                return state;
            }
            pause();
        }
    }

    private static Rollout.State rolloutOf(List<V1Deployment> deployments) {
        Rollout.State result = deployments.isEmpty() ? Rollout.State.WAITING : Rollout.State.COMPLETE;
        for (V1Deployment d : deployments) {
            Rollout.State s = Rollout.of(d);
            if (s == Rollout.State.FAILED) {
                return s;
            }
            if (s == Rollout.State.WAITING) {
                result = s;
            }
        }
        return result;
    }

    private InstanceStatus statusOf(V1Namespace ns) {
        String name = ns.getMetadata().getName();
        InstanceSpec spec = spec(ns);
        String id = spec.instanceId();
        List<V1Deployment> deployments = deployments(id);
        String selector = Labels.instanceSelector(id);
        List<V1Pod> pods = kube.list(V1Pod.class, name, selector);
        String target = pods.stream().map(p -> p.getSpec().getNodeName()).filter(Objects::nonNull).findFirst()
                .orElse(spec.nodeTarget());
        String version = deployments.stream()
                .filter(d -> spec.httpComponent() == null || d.getMetadata().getName().equals(spec.httpComponent().name()))
                .map(d -> d.getMetadata().getAnnotations() == null ? null : d.getMetadata().getAnnotations().get(Labels.APP_VERSION))
                .filter(Objects::nonNull).findFirst()
                .orElse(ns.getMetadata().getAnnotations().get(Labels.APP_VERSION));
        return new InstanceStatus(id, target, state(deployments), version, limits(name, deployments), endpoint(name, spec));
    }

    private static RuntimeState state(List<V1Deployment> deployments) {
        if (deployments.isEmpty()) {
            return RuntimeState.STARTING;
        }
        long stopped = deployments.stream().filter(d -> d.getSpec().getReplicas() != null && d.getSpec().getReplicas() == 0).count();
        if (stopped == deployments.size()) {
            return RuntimeState.STOPPED;
        }
        if (stopped > 0) {
            return RuntimeState.DEGRADED;
        }
        return switch (rolloutOf(deployments)) {
            case COMPLETE -> RuntimeState.RUNNING;
            case FAILED -> RuntimeState.DEGRADED;
            case WAITING -> RuntimeState.STARTING;
        };
    }

    /** The limits the cluster enforces: the containers' requests and limits summed, and the quota's storage. */
    private ResourceLimits limits(String ns, List<V1Deployment> deployments) {
        long cpuRequest = 0;
        long cpuLimit = 0;
        long memoryRequest = 0;
        long memoryLimit = 0;
        for (V1Deployment d : deployments) {
            for (V1Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                if (c.getResources() == null) {
                    continue;
                }
                var requests = c.getResources().getRequests();
                var limits = c.getResources().getLimits();
                if (requests != null) {
                    cpuRequest += Quantities.millis(requests.get("cpu"));
                    memoryRequest += Quantities.bytes(requests.get("memory"));
                }
                if (limits != null) {
                    cpuLimit += Quantities.millis(limits.get("cpu"));
                    memoryLimit += Quantities.bytes(limits.get("memory"));
                }
            }
        }
        long disk = kube.get(V1ResourceQuota.class, ns, InstanceObjects.QUOTA)
                .map(q -> q.getSpec() == null || q.getSpec().getHard() == null ? 0L : Quantities.bytes(q.getSpec().getHard().get("requests.storage")))
                .orElse(0L);
        try {
            return new ResourceLimits(cpuRequest, cpuLimit, memoryRequest, memoryLimit, disk);
        } catch (InvalidSpecException e) {
            return null;   // something unset or edited into an impossible shape: no limits to report
        }
    }

    private String endpoint(String ns, InstanceSpec spec) {
        InstanceSpec.Component http = spec.httpComponent();
        if (http == null || http.ports().isEmpty()) {
            return null;
        }
        return kube.get(V1Service.class, ns, http.name())
                .map(s -> s.getSpec() == null ? null : s.getSpec().getClusterIP())
                .filter(ip -> !ip.isBlank() && !"None".equals(ip))
                .map(ip -> ip + ":" + http.ports().get(0).containerPort())
                .orElse(null);
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting for the cluster", e);
        }
    }
}
