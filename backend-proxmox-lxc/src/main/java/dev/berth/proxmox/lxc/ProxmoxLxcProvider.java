package dev.berth.proxmox.lxc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.proxmox.client.ProxmoxClient;
import dev.berth.proxmox.client.TaskFailedException;
import dev.berth.proxmox.client.Upid;
import dev.berth.proxmox.guest.GuestConfig;
import dev.berth.proxmox.guest.GuestConfigurer;
import dev.berth.proxmox.guest.GuestTarget;
import dev.berth.spi.BackupSupport;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.LiveResizeSupport;
import dev.berth.spi.MigrationSupport;
import dev.berth.spi.NodeCapacity;
import dev.berth.spi.NodeRef;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.error.AlreadyExistsException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Proxmox LXC {@link RuntimeProvider} (kind {@value #KIND}): one unprivileged LXC container per instance.
 *
 * <ul>
 *   <li><b>Finding containers</b>: every container carries the tags {@code berth} and {@code berth-i-<instance>}
 *       and Berth's {@link BerthMetadata} in its description; {@code /cluster/resources} finds them on any
 *       node, so the provider keeps no state of its own and any Berth process can take over.</li>
 *   <li><b>Create</b>: from the component's {@code lxcTemplate} ({@code local:vztmpl/…} → {@code ostemplate}, or
 *       {@code clone:<vmid>} → clone of a template container), sized from the plan ({@link LxcSizing}),
 *       {@code unprivileged=1}, {@code net0} on the bridge (DHCP or an {@link AddressPool} address), hostname
 *       from the instance's slug, Berth's SSH public key. VM ids come from the {@link VmidAllocator}; a create
 *       that loses a race is retried with a fresh id, and one that may have succeeded before a retry is adopted
 *       (found by its tag) instead of duplicated.</li>
 *   <li><b>App configuration</b> goes through the {@link GuestConfigurer} (env files with the secrets, service
 *       restarts), because the API cannot run commands in a container.</li>
 *   <li><b>Verbs</b>: suspend = shutdown then stop after the timeout; resume = start; plan change = config
 *       update plus root disk growth (shrinking is refused before anything changes); backup = vzdump in
 *       snapshot mode recorded in the {@link BackupStore}; restore = create with {@code restore=1} over the
 *       container; migrate = restart migration; terminate = stop and delete with purge.</li>
 *   <li><b>Waiting</b>: every verb waits for the container's {@code lock} to clear first, and for its tasks to
 *       end (on the node in the UPID).</li>
 * </ul>
 * Thread-safe.
 */
public final class ProxmoxLxcProvider implements RuntimeProvider, BackupSupport, MigrationSupport, LiveResizeSupport {

    /** The provider kind. */
    public static final String KIND = "proxmox-lxc";
    /** Tag on every container Berth created. */
    public static final String TAG = "berth";
    /** Prefix of the per-instance tag. */
    public static final String INSTANCE_TAG_PREFIX = "berth-i-";
    /**
     * Prefix of the tag recording a pool address: tags show in {@code /cluster/resources} even for containers on
     * an offline node, whose config cannot be read, so their addresses are never handed out twice.
     */
    public static final String ADDRESS_TAG_PREFIX = "berth-ip-";

    private static final Logger LOG = LoggerFactory.getLogger(ProxmoxLxcProvider.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TAG_SAFE = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9_\\-+.]*");
    private static final Pattern HOST_KEY = Pattern.compile("SHA256:([A-Za-z0-9+/]{43})=?");
    private static final Pattern NET_IP = Pattern.compile("(?:^|,)ip=([0-9.]+)/\\d+");
    private static final String POINTER_FORMAT = "berth-proxmox-vzdump/1";

    private final ProxmoxClient client;
    private final ProxmoxLxcSettings settings;
    private final VmidAllocator vmids;
    private final GuestConfigurer guest;
    private final String sshPublicKey;
    private final Clock clock;

    /**
     * @param client       the API client
     * @param settings     storage, network, timeouts
     * @param vmids        where VM ids come from
     * @param guest        configures the app inside the container
     * @param sshPublicKey OpenSSH public key line put into every container for {@code guest}
     * @param clock        stamps backup manifests
     */
    public ProxmoxLxcProvider(ProxmoxClient client, ProxmoxLxcSettings settings, VmidAllocator vmids,
                              GuestConfigurer guest, String sshPublicKey, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.vmids = Objects.requireNonNull(vmids, "vmids");
        this.guest = Objects.requireNonNull(guest, "guest");
        this.sshPublicKey = Objects.requireNonNull(sshPublicKey, "sshPublicKey");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String kind() {
        return KIND;
    }

    // ------------------------------------------------------------------------------------------ provision

    @Override
    public InstanceStatus provision(ProvisionRequest request) {
        validate(request);
        Located ct = locate(request.instanceId()).orElseGet(() -> create(request));
        ct = awaitUnlocked(ct);
        JsonNode config = config(ct);
        BerthMetadata meta = BerthMetadata.parse(config.path("description").asText(null));
        applyLimits(ct, config, meta, request.resources(), false);
        if (!isRunning(ct)) {
            start(ct);
        }
        configureGuest(ct, request, false);
        return read(ct);
    }

    private Located create(ProvisionRequest r) {
        String template = template(r);
        String node = r.node().target();
        BerthException last = null;
        for (int attempt = 1; attempt <= settings.createAttempts(); attempt++) {
            Set<Integer> taken = usedVmids();
            int vmid = vmids.reserve(taken::contains);
            String address = settings.addressPool() == null ? null : settings.addressPool().reserve(usedAddresses());
            try {
                Upid upid = template.startsWith("clone:")
                        ? startClone(r, node, vmid, Integer.parseInt(template.substring("clone:".length())))
                        : client.startTask("POST", "nodes/" + node + "/lxc", createParams(r, vmid, template, address));
                // a failed task (TaskFailedException) removed its half-created config again: nothing to clean up
                client.awaitTask(upid, settings.taskTimeout());
                List<String> hostKeys = hostKeysFromLog(upid);
                Located ct = new Located(node, vmid, r.instanceId());
                if (template.startsWith("clone:")) {
                    finishClone(ct, r, address);
                } else if (!hostKeys.isEmpty()) {
                    put(ct, Map.of("description", metadata(r, r.resources()).withHostKeys(hostKeys).render()));
                }
                LOG.info("created CT {} on {} for instance {}", vmid, node, r.instanceId());
                return ct;
            } catch (AlreadyExistsException e) {
                // a retried dispatch may have created it after all: adopt ours instead of making a second one
                Optional<Located> mine = locate(r.instanceId());
                if (mine.isPresent()) {
                    return mine.get();
                }
                LOG.info("VM id {} was taken by another creator; retrying with a fresh id", vmid);
                last = e;
            } finally {
                vmids.release(vmid);
                if (address != null) {
                    settings.addressPool().release(address);
                }
            }
        }
        throw new ConflictException("could not create a container for " + r.instanceId() + " after "
                + settings.createAttempts() + " VM id races", last);
    }

    private Map<String, Object> createParams(ProvisionRequest r, int vmid, String template, String address) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("vmid", vmid);
        p.put("ostemplate", template);
        p.put("hostname", r.slug());
        p.putAll(LxcSizing.cpuAndMemory(r.resources(), settings.swapMib()));
        p.put("rootfs", settings.rootfsStorage() + ":" + LxcSizing.diskGib(r.resources()));
        p.put("net0", net0(address));
        p.put("unprivileged", true);
        p.put("ssh-public-keys", sshPublicKey);
        p.put("tags", tags(r.instanceId(), address));
        p.put("description", metadata(r, r.resources()).render());
        p.put("onboot", true);
        if (settings.features() != null) {
            p.put("features", settings.features());
        }
        return p;
    }

    private Upid startClone(ProvisionRequest r, String node, int vmid, int templateVmid) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("newid", vmid);
        p.put("hostname", r.slug());
        p.put("description", metadata(r, r.resources()).render());
        p.put("full", true);
        p.put("storage", settings.rootfsStorage());
        return client.startTask("POST", "nodes/" + node + "/lxc/" + templateVmid + "/clone", p);
    }

    /** A clone carries the template's config: give it the instance's identity, network and size. */
    private void finishClone(Located ct, ProvisionRequest r, String address) {
        Map<String, Object> p = new LinkedHashMap<>(LxcSizing.cpuAndMemory(r.resources(), settings.swapMib()));
        p.put("net0", net0(address));
        p.put("tags", tags(r.instanceId(), address));
        p.put("description", metadata(r, r.resources()).render());
        put(ct, p);
        growDisk(ct, config(ct), r.resources());
    }

    private String net0(String address) {
        return "name=eth0,bridge=" + settings.bridge() + ","
                + (address == null ? "ip=dhcp" : settings.addressPool().netConfig(address));
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    @Override
    public void suspend(String instanceId) {
        Located ct = require(instanceId);
        ct = awaitUnlocked(ct);
        if (!isRunning(ct)) {
            return;
        }
        try {
            run(ct, "POST", "status/shutdown", Map.of("timeout", settings.shutdownTimeout().toSeconds()),
                    settings.shutdownTimeout().plus(settings.taskTimeout()));
        } catch (TaskFailedException e) {
            LOG.info("CT {} did not shut down cleanly ({}); stopping it", ct.vmid, e.exitStatus());
        } catch (BerthException e) {
            if (!notRunning(e)) {
                throw e;
            }
        }
        if (isRunning(ct)) {
            try {
                run(ct, "POST", "status/stop", Map.of("overrule-shutdown", true), settings.taskTimeout());
            } catch (BerthException e) {
                if (!notRunning(e)) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void resume(String instanceId) {
        Located ct = require(instanceId);
        ct = awaitUnlocked(ct);
        if (!isRunning(ct)) {
            start(ct);
        }
    }

    @Override
    public InstanceStatus changePlan(String instanceId, ResourceLimits limits) {
        if (limits == null) {
            throw new InvalidSpecException("limits", "is required");
        }
        LxcSizing.validate(limits);
        Located ct = require(instanceId);
        ct = awaitUnlocked(ct);
        JsonNode config = config(ct);
        applyLimits(ct, config, BerthMetadata.parse(config.path("description").asText(null)), limits, true);
        return read(ct);
    }

    @Override
    public InstanceStatus upgrade(ProvisionRequest request) {
        validate(request);
        Located ct = require(request.instanceId());
        ct = awaitUnlocked(ct);
        JsonNode config = config(ct);
        BerthMetadata meta = BerthMetadata.parse(config.path("description").asText(null));
        applyLimits(ct, config, meta, request.resources(), true);
        boolean newVersion = !request.appVersion().equals(meta.appVersion());
        if (!isRunning(ct)) {
            start(ct);
        }
        configureGuest(ct, request, newVersion);
        if (newVersion) {
            BerthMetadata current = BerthMetadata.parse(config(ct).path("description").asText(null));
            put(ct, Map.of("description", current.withVersion(request.appVersion()).render()));
        }
        return read(ct);
    }

    @Override
    public InstanceStatus status(String instanceId) {
        return read(require(instanceId));
    }

    /** {@inheritDoc} Containers on an offline node are listed as DEGRADED without limits (their config is unreadable). */
    @Override
    public List<InstanceStatus> inventory() {
        List<InstanceStatus> out = new ArrayList<>();
        Set<String> onlineNodes = onlineNodes();
        for (JsonNode r : client.get("cluster/resources", Map.of("type", "vm"))) {
            Optional<String> id = instanceIdFromTags(r.path("tags").asText(""));
            if (id.isEmpty() || !"lxc".equals(r.path("type").asText())) {
                continue;
            }
            Located ct = new Located(r.path("node").asText(), r.path("vmid").asInt());
            if (!onlineNodes.contains(ct.node)) {
                out.add(new InstanceStatus(id.get(), ct.node, RuntimeState.DEGRADED, null, null, null));
                continue;
            }
            try {
                out.add(read(ct, id.get()));
            } catch (NotFoundException gone) {
                // deleted between the listing and the read
            }
        }
        return out;
    }

    @Override
    public void terminate(String instanceId) {
        Optional<Located> found = locate(instanceId);
        if (found.isEmpty()) {
            return;
        }
        Located ct = found.get();
        try {
            ct = awaitUnlocked(ct);
            if (isRunning(ct)) {
                try {
                    run(ct, "POST", "status/stop", Map.of(), settings.taskTimeout());
                } catch (BerthException e) {
                    if (!notRunning(e)) {
                        throw e;
                    }
                }
            }
            Upid upid = client.startTask("DELETE", ctPath(ct, ""), Map.of("purge", true, "destroy-unreferenced-disks", true));
            client.awaitTask(upid, settings.taskTimeout());
            LOG.info("deleted CT {} on {} (instance {})", ct.vmid, ct.node, instanceId);
        } catch (NotFoundException alreadyGone) {
            // deleted by someone else meanwhile: the outcome terminate promises
        }
    }

    /** {@inheritDoc} From {@code /cluster/resources}: online nodes only; disk is the root-disk storage's. */
    @Override
    public List<NodeCapacity> nodes() {
        JsonNode all = client.get("cluster/resources", Map.of());
        Map<String, JsonNode> storage = new LinkedHashMap<>();
        for (JsonNode r : all) {
            if ("storage".equals(r.path("type").asText()) && settings.rootfsStorage().equals(r.path("storage").asText())) {
                storage.put(r.path("node").asText(), r);
            }
        }
        List<NodeCapacity> out = new ArrayList<>();
        for (JsonNode r : all) {
            if (!"node".equals(r.path("type").asText()) || !"online".equals(r.path("status").asText())) {
                continue;
            }
            String node = r.path("node").asText();
            long cpus = r.path("maxcpu").asLong();
            JsonNode st = storage.get(node);
            long disk = st != null ? st.path("maxdisk").asLong() : r.path("maxdisk").asLong();
            long usedDisk = st != null ? st.path("disk").asLong() : r.path("disk").asLong();
            out.add(new NodeCapacity(node, cpus * 1000, r.path("maxmem").asLong(), disk,
                    Math.round(r.path("cpu").asDouble() * cpus * 1000), r.path("mem").asLong(), usedDisk));
        }
        return out;
    }

    @Override
    public void testConnection() {
        client.get("version", Map.of());
        client.get("cluster/resources", Map.of("type", "node"));
    }

    @Override
    public Optional<BackupSupport> backups() {
        return Optional.of(this);
    }

    @Override
    public Optional<MigrationSupport> migration() {
        return Optional.of(this);
    }

    /** {@inheritDoc} CPU and memory of an LXC container change live (cgroup limits); the root disk only grows. */
    @Override
    public Optional<LiveResizeSupport> liveResize() {
        return Optional.of(this);
    }

    @Override
    public boolean canShrinkMemory() {
        return true;
    }

    @Override
    public void close() {
        client.close();
        if (guest instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing the guest configurer failed", e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ backup / restore

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
        Located ct = awaitUnlocked(require(instanceId));
        BerthMetadata meta = BerthMetadata.parse(config(ct).path("description").asText(null));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("vmid", String.valueOf(ct.vmid));
        p.put("mode", "snapshot");
        p.put("storage", settings.backupStorage());
        p.put("compress", "zstd");
        p.put("remove", false);
        p.put("notes-template", "berth {{guestname}} " + backupId);
        Upid upid = client.startTask("POST", "nodes/" + ct.node + "/vzdump", p);
        client.awaitTask(upid, settings.longTaskTimeout());
        JsonNode volume = findBackupVolume(ct.node, ct.vmid, backupId)
                .orElseThrow(() -> new BerthException("vzdump of CT " + ct.vmid + " finished but left no volume for "
                        + backupId, true));
        ObjectNode pointer = JSON.createObjectNode()
                .put("format", POINTER_FORMAT).put("volid", volume.path("volid").asText())
                .put("storage", settings.backupStorage()).put("node", ct.node).put("vmid", ct.vmid)
                .put("size", volume.path("size").asLong()).put("ctime", volume.path("ctime").asLong())
                .put("instanceId", instanceId).put("backupId", backupId);
        Optional<BackupManifest> previous = store.find(backupId);
        BackupManifest stored;
        try {
            stored = store.put(new BackupManifest(backupId, instanceId, meta.appId(), meta.appVersion(), clock.instant(),
                    0, null, null), new ByteArrayInputStream(JSON.writeValueAsBytes(pointer)));
        } catch (IOException e) {
            throw new BerthException("encoding the backup pointer failed", false, e);
        }
        previous.flatMap(m -> readPointer(store, m)).map(old -> old.path("volid").asText())
                .filter(v -> !v.equals(pointer.path("volid").asText()))
                .ifPresent(v -> deleteVolume(ct.node, v));
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
        Located ct = require(instanceId);
        byte[] bytes;
        try (InputStream in = store.open(backup.backupId())) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UnavailableException("reading backup '" + backup.backupId() + "' failed", e);
        }
        if (bytes.length != backup.sizeBytes() || !sha256(bytes).equalsIgnoreCase(String.valueOf(backup.sha256()))) {
            throw new BerthException("backup '" + backup.backupId() + "' does not match its manifest (size or SHA-256 differ); "
                    + "nothing changed", false);
        }
        JsonNode pointer = parsePointer(bytes, backup.backupId());
        String volid = pointer.path("volid").asText();
        ct = awaitUnlocked(ct);
        boolean exists = false;
        for (JsonNode v : client.get(storageContentPath(ct.node), Map.of("content", "backup", "vmid", ct.vmid))) {
            exists |= volid.equals(v.path("volid").asText());
        }
        if (!exists) {
            throw new NotFoundException("backup volume", volid);
        }
        JsonNode before = config(ct);
        boolean wasRunning = isRunning(ct);
        if (wasRunning) {
            run(ct, "POST", "status/stop", Map.of(), settings.taskTimeout());
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("vmid", ct.vmid);
        p.put("ostemplate", volid);
        p.put("restore", true);
        p.put("force", true);
        p.put("storage", settings.rootfsStorage());
        client.awaitTask(client.startTask("POST", "nodes/" + ct.node + "/lxc", p), settings.longTaskTimeout());
        Map<String, Object> identity = new LinkedHashMap<>();
        for (String key : List.of("cores", "cpulimit", "cpuunits", "memory", "swap", "net0", "tags", "description", "hostname")) {
            if (before.has(key)) {
                identity.put(key, before.get(key).asText());
            }
        }
        put(ct, identity);
        long wanted = LxcSizing.rootfsBytes(before.path("rootfs").asText(""));
        if (wanted > LxcSizing.rootfsBytes(config(ct).path("rootfs").asText(""))) {
            run(ct, "PUT", "resize", Map.of("disk", "rootfs", "size", wanted / ResourceLimits.GIB + "G"), settings.taskTimeout());
        }
        if (wasRunning) {
            start(ct);
        }
    }

    // ------------------------------------------------------------------------------------------ migration

    /** {@inheritDoc} Restart migration (LXC has no live migration): the container stops, moves and starts again. */
    @Override
    public InstanceStatus migrate(String instanceId, NodeRef target) {
        Objects.requireNonNull(target, "target");
        if (target.target() == null || target.target().isBlank()) {
            throw new InvalidSpecException("target.target", "is required");
        }
        Located ct = awaitUnlocked(require(instanceId));
        if (ct.node.equals(target.target())) {
            return read(ct);
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("target", target.target());
        if (isRunning(ct)) {
            p.put("restart", true);
            p.put("timeout", settings.shutdownTimeout().toSeconds());
        }
        client.awaitTask(client.startTask("POST", ctPath(ct, "migrate"), p), settings.longTaskTimeout());
        Located moved = new Located(target.target(), ct.vmid, instanceId);
        LOG.info("migrated CT {} of {} from {} to {}", ct.vmid, instanceId, ct.node, target.target());
        return read(moved);
    }

    // ------------------------------------------------------------------------------------------ internals

    private void applyLimits(Located ct, JsonNode config, BerthMetadata meta, ResourceLimits limits, boolean refuseShrink) {
        long currentDisk = LxcSizing.rootfsBytes(config.path("rootfs").asText(""));
        if (limits.diskBytes() < currentDisk) {
            if (refuseShrink) {
                throw new InvalidSpecException("limits.diskBytes", "Proxmox cannot shrink a container's root disk: it has "
                        + currentDisk / ResourceLimits.GIB + " GiB, the plan asks for " + limits.diskBytes() / ResourceLimits.GIB
                        + " GiB; nothing was changed");
            }
        }
        Map<String, Object> wanted = LxcSizing.cpuAndMemory(limits, settings.swapMib());
        Map<String, Object> changes = new LinkedHashMap<>();
        wanted.forEach((k, v) -> {
            if (!sameValue(config.get(k), v)) {
                changes.put(k, v);
            }
        });
        long requestMib = limits.memoryRequestBytes() / ResourceLimits.MIB;
        if (meta.memoryRequestMib() != requestMib) {
            changes.put("description", meta.withMemoryRequestMib(requestMib).render());
        }
        if (!changes.isEmpty()) {
            put(ct, changes);
        }
        if (limits.diskBytes() > currentDisk) {
            growDisk(ct, config, limits);
        }
    }

    private void growDisk(Located ct, JsonNode config, ResourceLimits limits) {
        if (limits.diskBytes() > LxcSizing.rootfsBytes(config.path("rootfs").asText(""))) {
            run(ct, "PUT", "resize", Map.of("disk", "rootfs", "size", LxcSizing.diskGib(limits) + "G"), settings.taskTimeout());
        }
    }

    private static boolean sameValue(JsonNode current, Object wanted) {
        if (current == null || current.isNull()) {
            return false;
        }
        try {
            return new java.math.BigDecimal(current.asText()).compareTo(new java.math.BigDecimal(wanted.toString())) == 0;
        } catch (NumberFormatException e) {
            return current.asText().equals(wanted.toString());
        }
    }

    private void start(Located ct) {
        try {
            run(ct, "POST", "status/start", Map.of(), settings.taskTimeout());
        } catch (BerthException e) {
            if (e.getMessage() == null || !e.getMessage().contains("already running")) {
                throw e;
            }
        }
    }

    private void configureGuest(Located ct, ProvisionRequest r, boolean restartAll) {
        JsonNode config = config(ct);
        BerthMetadata meta = BerthMetadata.parse(config.path("description").asText(null));
        String address = address(ct, config)
                .orElseThrow(() -> new UnavailableException("CT " + ct.vmid + " has no IPv4 address yet"));
        List<GuestConfig.Service> services = new ArrayList<>();
        for (ComponentSpec c : r.components()) {
            services.add(new GuestConfig.Service(c.name(), c.env(), c.secretEnv()));
        }
        guest.configure(new GuestTarget(r.instanceId(), ct.vmid, ct.node, address, meta.hostKeys()),
                new GuestConfig(r.appVersion(), services, restartAll));
    }

    private InstanceStatus read(Located ct) {
        JsonNode config = config(ct);
        BerthMetadata meta = BerthMetadata.parse(config.path("description").asText(null));
        return read(ct, config, meta.instanceId());
    }

    private InstanceStatus read(Located ct, String instanceId) {
        return read(ct, config(ct), instanceId);
    }

    private InstanceStatus read(Located ct, JsonNode config, String instanceId) {
        BerthMetadata meta = BerthMetadata.parse(config.path("description").asText(null));
        JsonNode current = client.get(ctPath(ct, "status/current"), Map.of());
        boolean running = "running".equals(current.path("status").asText());
        String lock = current.path("lock").asText("");
        RuntimeState state = "create".equals(lock) ? RuntimeState.STARTING : running ? RuntimeState.RUNNING : RuntimeState.STOPPED;
        String endpoint = null;
        if (running) {
            Optional<String> address = address(ct, config);
            if (address.isPresent() && meta.httpPort() > 0) {
                endpoint = address.get() + ":" + meta.httpPort();
            }
        }
        return new InstanceStatus(instanceId, ct.node, state, meta.appVersion(), LxcSizing.readBack(config, meta), endpoint);
    }

    private Optional<String> address(Located ct, JsonNode config) {
        Matcher m = NET_IP.matcher(config.path("net0").asText(""));
        if (m.find()) {
            return Optional.of(m.group(1));
        }
        if (!isRunning(ct)) {
            return Optional.empty();
        }
        for (JsonNode i : client.get(ctPath(ct, "interfaces"), Map.of())) {
            if ("eth0".equals(i.path("name").asText()) && i.hasNonNull("inet")) {
                return Optional.of(i.get("inet").asText().split("/")[0]);
            }
        }
        return Optional.empty();
    }

    private boolean isRunning(Located ct) {
        return "running".equals(client.get(ctPath(ct, "status/current"), Map.of()).path("status").asText());
    }

    /**
     * Waits until the container's {@code lock} (backup, migrate, create, …) is gone and returns where it is then: a
     * migration by someone else moves it, so a container that vanished from its node is looked up again.
     */
    private Located awaitUnlocked(Located start) {
        Located ct = start;
        Instant deadline = clock.instant().plus(settings.lockWait());
        long sleep = 100;
        while (true) {
            String lock;
            try {
                lock = client.get(ctPath(ct, "status/current"), Map.of()).path("lock").asText("");
            } catch (NotFoundException moved) {
                if (ct.instanceId() == null) {
                    throw moved;
                }
                ct = require(ct.instanceId());
                continue;
            }
            if (lock.isEmpty()) {
                return ct;
            }
            if (clock.instant().isAfter(deadline)) {
                throw new ConflictException("CT " + ct.vmid + " on " + ct.node + " is still locked (" + lock + ") after "
                        + settings.lockWait());
            }
            LOG.debug("CT {} is locked ({}); waiting", ct.vmid, lock);
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while waiting for CT " + ct.vmid + " to unlock", e);
            }
            sleep = Math.min(sleep * 2, 2000);
        }
    }

    private void run(Located ct, String method, String sub, Map<String, ?> params, Duration timeout) {
        client.awaitTask(client.startTask(method, ctPath(ct, sub), params), timeout);
    }

    private void put(Located ct, Map<String, ?> params) {
        client.put(ctPath(ct, "config"), params);
    }

    private JsonNode config(Located ct) {
        return client.get(ctPath(ct, "config"), Map.of());
    }

    private static String ctPath(Located ct, String sub) {
        return "nodes/" + ct.node + "/lxc/" + ct.vmid + (sub.isEmpty() ? "" : "/" + sub);
    }

    private String storageContentPath(String node) {
        return "nodes/" + node + "/storage/" + settings.backupStorage() + "/content";
    }

    private Located require(String instanceId) {
        return locate(instanceId).orElseThrow(() -> new NotFoundException("instance", instanceId));
    }

    /** Finds the instance's container anywhere in the cluster by its tag. */
    private Optional<Located> locate(String instanceId) {
        if (instanceId == null || !TAG_SAFE.matcher(instanceId).matches()) {
            return Optional.empty();
        }
        for (JsonNode r : client.get("cluster/resources", Map.of("type", "vm"))) {
            if (instanceIdFromTags(r.path("tags").asText("")).filter(instanceId::equals).isPresent()) {
                return Optional.of(new Located(r.path("node").asText(), r.path("vmid").asInt(), instanceId));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> instanceIdFromTags(String tags) {
        boolean berth = false;
        String id = null;
        for (String t : tags.split("[;, ]+")) {
            if (t.equals(TAG)) {
                berth = true;
            } else if (t.startsWith(INSTANCE_TAG_PREFIX)) {
                id = t.substring(INSTANCE_TAG_PREFIX.length());
            }
        }
        return berth && id != null ? Optional.of(id) : Optional.empty();
    }

    private static String tags(String instanceId, String address) {
        return TAG + ";" + INSTANCE_TAG_PREFIX + instanceId + (address == null ? "" : ";" + ADDRESS_TAG_PREFIX + address);
    }

    private Set<Integer> usedVmids() {
        Set<Integer> used = new HashSet<>();
        for (JsonNode r : client.get("cluster/resources", Map.of("type", "vm"))) {
            used.add(r.path("vmid").asInt());
        }
        return used;
    }

    /** Pool addresses in use: from Berth's address tags, and from the configs of other containers on online nodes. */
    private Set<String> usedAddresses() {
        Set<String> used = new HashSet<>();
        Set<String> online = onlineNodes();
        for (JsonNode r : client.get("cluster/resources", Map.of("type", "vm"))) {
            boolean tagged = false;
            for (String t : r.path("tags").asText("").split("[;, ]+")) {
                if (t.startsWith(ADDRESS_TAG_PREFIX)) {
                    used.add(t.substring(ADDRESS_TAG_PREFIX.length()));
                    tagged = true;
                }
            }
            if (tagged || !"lxc".equals(r.path("type").asText())) {
                continue;
            }
            if (!online.contains(r.path("node").asText())) {
                LOG.warn("cannot read the address of CT {} on offline node {}", r.path("vmid").asInt(), r.path("node").asText());
                continue;
            }
            try {
                Matcher m = NET_IP.matcher(config(new Located(r.path("node").asText(), r.path("vmid").asInt()))
                        .path("net0").asText(""));
                if (m.find()) {
                    used.add(m.group(1));
                }
            } catch (NotFoundException gone) {
                // removed meanwhile
            }
        }
        return used;
    }

    private Set<String> onlineNodes() {
        Set<String> online = new HashSet<>();
        for (JsonNode n : client.get("cluster/resources", Map.of("type", "node"))) {
            if ("online".equals(n.path("status").asText())) {
                online.add(n.path("node").asText());
            }
        }
        return online;
    }

    /** The fingerprints pve-container prints as it generates the host keys ("done: SHA256:… root@host"). */
    private List<String> hostKeysFromLog(Upid upid) {
        List<String> found = new ArrayList<>();
        for (String line : client.taskLog(upid)) {
            Matcher m = HOST_KEY.matcher(line);
            if (line.startsWith("done: ") && m.find()) {
                found.add(m.group(1));
            }
        }
        return found;
    }

    private Optional<JsonNode> findBackupVolume(String node, int vmid, String backupId) {
        JsonNode best = null;
        for (JsonNode v : client.get(storageContentPath(node), Map.of("content", "backup", "vmid", vmid))) {
            if (v.path("notes").asText("").endsWith(" " + backupId)
                    && (best == null || v.path("ctime").asLong() >= best.path("ctime").asLong())) {
                best = v;
            }
        }
        return Optional.ofNullable(best);
    }

    private void deleteVolume(String node, String volid) {
        try {
            String path = "nodes/" + node + "/storage/" + settings.backupStorage() + "/content/"
                    + URLEncoder.encode(volid, StandardCharsets.UTF_8);
            Upid upid = client.startTask("DELETE", path, Map.of());
            client.awaitTask(upid, settings.taskTimeout());
        } catch (NotFoundException alreadyGone) {
            // replaced volume was removed by someone else: fine
        }
    }

    private static Optional<JsonNode> readPointer(BackupStore store, BackupManifest m) {
        try (InputStream in = store.open(m.backupId())) {
            return Optional.of(parsePointer(in.readAllBytes(), m.backupId()));
        } catch (IOException | BerthException e) {
            return Optional.empty();
        }
    }

    private static JsonNode parsePointer(byte[] bytes, String backupId) {
        try {
            JsonNode p = JSON.readTree(bytes);
            if (!POINTER_FORMAT.equals(p.path("format").asText()) || !p.hasNonNull("volid")) {
                throw new BerthException("backup '" + backupId + "' is not a Proxmox vzdump pointer", false);
            }
            return p;
        } catch (IOException e) {
            throw new BerthException("backup '" + backupId + "' is not a Proxmox vzdump pointer", false, e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean notRunning(BerthException e) {
        return e.getMessage() != null && e.getMessage().contains("not running");
    }

    private BerthMetadata metadata(ProvisionRequest r, ResourceLimits limits) {
        int httpPort = r.components().stream().filter(ComponentSpec::http).flatMap(c -> c.ports().stream())
                .mapToInt(ComponentSpec.Port::containerPort).findFirst().orElse(0);
        return new BerthMetadata(r.instanceId(), r.tenantId(), r.appId(), r.appVersion(),
                limits.memoryRequestBytes() / ResourceLimits.MIB, httpPort, null);
    }

    private static String template(ProvisionRequest r) {
        return r.components().stream().map(ComponentSpec::lxcTemplate).filter(Objects::nonNull).findFirst()
                .orElseThrow(() -> new InvalidSpecException("components.lxcTemplate",
                        "no component names an LXC template (ostemplate volume or clone:<vmid>)"));
    }

    private static void validate(ProvisionRequest r) {
        Objects.requireNonNull(r, "request");
        if (r.instanceId() == null || !TAG_SAFE.matcher(r.instanceId()).matches()) {
            throw new InvalidSpecException("instanceId", "must be usable in a Proxmox tag ([A-Za-z0-9_][A-Za-z0-9_+.-]*)");
        }
        if (r.resources() == null) {
            throw new InvalidSpecException("resources", "is required");
        }
        LxcSizing.validate(r.resources());
        if (r.node() == null || r.node().target() == null || r.node().target().isBlank()) {
            throw new InvalidSpecException("node.target", "is required (the Proxmox node name)");
        }
        if (r.slug() == null || !r.slug().matches("[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?")) {
            throw new InvalidSpecException("slug", "must be a DNS label (it becomes the container's hostname)");
        }
        template(r);
    }

    /** Where a container is: its node and VM id, and the instance it belongs to (null when unknown). */
    private record Located(String node, int vmid, String instanceId) {
        Located(String node, int vmid) {
            this(node, vmid, null);
        }
    }
}
