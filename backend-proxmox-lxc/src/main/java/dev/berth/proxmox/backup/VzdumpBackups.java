package dev.berth.proxmox.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.proxmox.client.ProxmoxClient;
import dev.berth.proxmox.client.Upid;
import dev.berth.proxmox.container.BerthMetadata;
import dev.berth.proxmox.container.Located;
import dev.berth.proxmox.container.LxcSizing;
import dev.berth.proxmox.inventory.ContainerApi;
import dev.berth.proxmox.inventory.ContainerLocator;
import dev.berth.proxmox.inventory.Locks;
import dev.berth.proxmox.lxc.ProxmoxLxcSettings;
import dev.berth.spi.BackupSupport;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The provider's {@link BackupSupport}: vzdump in snapshot mode to the backup storage, recorded in the
 * {@link BackupStore} as a {@link BackupPointer}; restore is a create with {@code restore=1} over the container.
 */
public final class VzdumpBackups implements BackupSupport {

    /** Config keys a restore puts back: a vzdump carries the plan, identity and network of its time. */
    private static final List<String> IDENTITY_KEYS =
            List.of("cores", "cpulimit", "cpuunits", "memory", "swap", "net0", "tags", "description", "hostname");

    private final ProxmoxClient client;
    private final ProxmoxLxcSettings settings;
    private final ContainerApi containers;
    private final ContainerLocator locator;
    private final Locks locks;
    private final BackupVolumes volumes;
    private final Clock clock;

    /**
     * @param client     the API client
     * @param settings   storages and timeouts
     * @param containers container calls
     * @param locator    finds the instance's container
     * @param locks      waits for its lock to clear
     * @param clock      stamps backup manifests
     */
    public VzdumpBackups(ProxmoxClient client, ProxmoxLxcSettings settings, ContainerApi containers,
                         ContainerLocator locator, Locks locks, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.containers = containers;
        this.locator = locator;
        this.locks = locks;
        this.volumes = new BackupVolumes(client, settings);
        this.clock = clock;
    }

    /**
     * {@inheritDoc} Runs vzdump (snapshot mode, zstd, no pruning: retention is Berth's) to the backup storage and
     * stores a small pointer archive in {@code store} naming the volume; the archive itself stays on Proxmox
     * storage (the API has no download for it). The same backup id again replaces the earlier volume.
     */
    @Override
    public BackupManifest backup(String instanceId, String backupId, BackupStore store) {
        Objects.requireNonNull(store, "store");
        if (backupId == null || backupId.isBlank()) {
            throw new InvalidSpecException("backupId", "must not be blank");
        }
        Located ct = locks.awaitUnlocked(locator.require(instanceId));
        BerthMetadata meta = BerthMetadata.of(containers.config(ct));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("vmid", String.valueOf(ct.vmid()));
        p.put("mode", "snapshot");
        p.put("storage", settings.backupStorage());
        p.put("compress", "zstd");
        p.put("remove", false);
        p.put("notes-template", "berth {{guestname}} " + backupId);
        Upid upid = client.startTask("POST", "nodes/" + ct.node() + "/vzdump", p);
        client.awaitTask(upid, settings.longTaskTimeout());
        JsonNode volume = volumes.find(ct.node(), ct.vmid(), backupId)
                .orElseThrow(() -> new BerthException("vzdump of CT " + ct.vmid() + " finished but left no volume for "
                        + backupId, true));
        ObjectNode pointer = BackupPointer.create().put("volid", volume.path("volid").asText())
                .put("storage", settings.backupStorage()).put("node", ct.node()).put("vmid", ct.vmid())
                .put("size", volume.path("size").asLong()).put("ctime", volume.path("ctime").asLong())
                .put("instanceId", instanceId).put("backupId", backupId);
        Optional<BackupManifest> previous = store.find(backupId);
        byte[] encoded = BackupPointer.encode(pointer);
        BackupManifest stored = store.put(new BackupManifest(backupId, instanceId, meta.appId(), meta.appVersion(),
                clock.instant(), 0, null, null), new ByteArrayInputStream(encoded));
        previous.flatMap(m -> BackupPointer.read(store, m)).map(old -> old.path("volid").asText())
                .filter(v -> !v.equals(pointer.path("volid").asText()))
                .ifPresent(v -> volumes.delete(ct.node(), v));
        return stored;
    }

    /**
     * {@inheritDoc} Verifies the pointer against the manifest, stops the container, restores the vzdump volume
     * over it ({@code restore=1, force=1}), then puts back the current plan, identity and network (a vzdump
     * carries the config of its time) and starts it again if it ran before.
     */
    @Override
    public void restore(String instanceId, BackupManifest backup, BackupStore store) {
        Objects.requireNonNull(backup, "backup");
        Objects.requireNonNull(store, "store");
        Located ct = locator.require(instanceId);
        byte[] bytes;
        try (InputStream in = store.open(backup.backupId())) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UnavailableException("reading backup '" + backup.backupId() + "' failed", e);
        }
        if (bytes.length != backup.sizeBytes()
                || !BackupPointer.sha256(bytes).equalsIgnoreCase(String.valueOf(backup.sha256()))) {
            throw new BerthException("backup '" + backup.backupId() + "' does not match its manifest (size or SHA-256 differ); "
                    + "nothing changed", false);
        }
        String volid = BackupPointer.parse(bytes, backup.backupId()).path("volid").asText();
        ct = locks.awaitUnlocked(ct);
        boolean exists = false;
        for (JsonNode v : volumes.list(ct.node(), ct.vmid())) {
            exists |= volid.equals(v.path("volid").asText());
        }
        if (!exists) {
            throw new NotFoundException("backup volume", volid);
        }
        JsonNode before = containers.config(ct);
        boolean wasRunning = containers.isRunning(ct);
        if (wasRunning) {
            containers.run(ct, "POST", "status/stop", Map.of(), settings.taskTimeout());
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("vmid", ct.vmid());
        p.put("ostemplate", volid);
        p.put("restore", true);
        p.put("force", true);
        p.put("storage", settings.rootfsStorage());
        client.awaitTask(client.startTask("POST", "nodes/" + ct.node() + "/lxc", p), settings.longTaskTimeout());
        Map<String, Object> identity = new LinkedHashMap<>();
        for (String key : IDENTITY_KEYS) {
            if (before.has(key)) {
                identity.put(key, before.get(key).asText());
            }
        }
        containers.put(ct, identity);
        long wanted = LxcSizing.rootfsBytes(before.path("rootfs").asText(""));
        if (wanted > LxcSizing.rootfsBytes(containers.config(ct).path("rootfs").asText(""))) {
            containers.run(ct, "PUT", "resize", Map.of("disk", "rootfs", "size", wanted / ResourceLimits.GIB + "G"),
                    settings.taskTimeout());
        }
        if (wasRunning) {
            containers.start(ct);
        }
    }
}
