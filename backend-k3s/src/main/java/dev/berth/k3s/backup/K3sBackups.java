package dev.berth.k3s.backup;

import dev.berth.k3s.K3sSettings;
import dev.berth.k3s.kube.InstanceNamespaces;
import dev.berth.k3s.kube.KubeApi;
import dev.berth.k3s.objects.InstanceObjects;
import dev.berth.k3s.objects.InstanceSpec;
import dev.berth.k3s.objects.Labels;
import dev.berth.k3s.rollout.Rollout;
import dev.berth.k3s.rollout.Workloads;
import dev.berth.spi.BackupSupport;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.wait.Poll;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Pod;
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
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The K3s provider's backup capability: every PVC of an instance as one tar stream in the {@link BackupStore},
 * taken while the app keeps running; a restore verifies the archive against its manifest, stops the pods,
 * replaces the claims' contents and starts them again if they ran. Both go through an archiver Job and the API
 * server's exec ({@link ClaimArchiver}), so Berth needs no other route into the cluster.
 */
public final class K3sBackups implements BackupSupport {

    // under the provider's name, as before the split: log configurations select it
    private static final Logger log = LoggerFactory.getLogger("dev.berth.k3s.K3sProvider");
    /** An empty tar archive (two zero blocks): the backup of an instance without volumes. */
    private static final byte[] EMPTY_TAR = new byte[1024];

    private final K3sSettings settings;
    private final KubeApi kube;
    private final InstanceObjects objects;
    private final InstanceNamespaces namespaces;
    private final Workloads workloads;
    private final ClaimArchiver archiver;

    /** Backups of the instances {@code namespaces} finds, through {@code kube}. */
    public K3sBackups(K3sSettings settings, KubeApi kube, InstanceObjects objects, InstanceNamespaces namespaces,
                      Workloads workloads) {
        this.settings = settings;
        this.kube = kube;
        this.objects = objects;
        this.namespaces = namespaces;
        this.workloads = workloads;
        this.archiver = new ClaimArchiver(kube, objects, settings);
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
        V1Namespace ns = namespaces.existing(instanceId);
        InstanceSpec spec = InstanceNamespaces.spec(ns);
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
        V1Namespace ns = namespaces.existing(instanceId);
        InstanceSpec spec = InstanceNamespaces.spec(ns);
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
            boolean running = !InstanceNamespaces.suspended(ns);
            workloads.scaleTo(instanceId, 0);
            try {
                awaitNoAppPods(instanceId);
                archiver.restore(spec, claims, archive, size);
            } finally {
                if (running) {
                    workloads.scaleTo(instanceId, 1);   // also after a failure: a failed restore must not leave the app down
                }
            }
            if (running && workloads.awaitRollout(instanceId) != Rollout.State.COMPLETE) {
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

    /** Waits until the app's pods are gone, so that no running container writes to a claim being replaced. */
    private void awaitNoAppPods(String instanceId) {
        String selector = Labels.instanceSelector(instanceId) + "," + Labels.COMPONENT + "!=" + InstanceObjects.ARCHIVER;
        Poll.every(Workloads.POLL).atMost(settings.rolloutTimeout())
                .untilTrue(() -> kube.list(V1Pod.class, objects.namespace(instanceId), selector).isEmpty(),
                        () -> new UnavailableException("instance " + instanceId + ": pods still running " + settings.rolloutTimeout()
                                + " after scaling to 0; nothing was restored"));
    }

    /** The node the instance's pods are bound to, or null when none is. */
    private String runningNode(String instanceId) {
        return kube.list(V1Pod.class, objects.namespace(instanceId), Labels.instanceSelector(instanceId)).stream()
                .map(p -> p.getSpec().getNodeName()).filter(Objects::nonNull).findFirst().orElse(null);
    }
}
