package dev.berth.proxmox.create;

import dev.berth.proxmox.client.ProxmoxClient;
import dev.berth.proxmox.client.Upid;
import dev.berth.proxmox.container.BerthTags;
import dev.berth.proxmox.container.Located;
import dev.berth.proxmox.container.LxcSizing;
import dev.berth.proxmox.inventory.ContainerApi;
import dev.berth.proxmox.inventory.ContainerLocator;
import dev.berth.proxmox.lxc.ProxmoxLxcSettings;
import dev.berth.proxmox.lxc.VmidAllocator;
import dev.berth.proxmox.network.Net0;
import dev.berth.proxmox.resize.Resizer;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.error.AlreadyExistsException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates an instance's container from the component's {@code lxcTemplate} ({@code local:vztmpl/…} →
 * {@code ostemplate}, or {@code clone:<vmid>} → full clone of a template container), sized from the plan,
 * {@code unprivileged=1}, {@code net0} on the bridge (DHCP or a pool address), hostname from the slug and Berth's
 * SSH public key. VM ids come from the {@link VmidAllocator}; a create that loses a race is retried with a
 * fresh id, and one that may have succeeded before a retry is adopted (found by its tag) instead of duplicated.
 */
final class ContainerCreator {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerCreator.class);
    private static final Pattern HOST_KEY = Pattern.compile("SHA256:([A-Za-z0-9+/]{43})=?");
    private static final String CLONE_PREFIX = "clone:";

    private final ProxmoxClient client;
    private final ProxmoxLxcSettings settings;
    private final VmidAllocator vmids;
    private final ContainerApi containers;
    private final ContainerLocator locator;
    private final Resizer resizer;
    private final String sshPublicKey;

    ContainerCreator(ProxmoxClient client, ProxmoxLxcSettings settings, VmidAllocator vmids, ContainerApi containers,
                     ContainerLocator locator, Resizer resizer, String sshPublicKey) {
        this.client = client;
        this.settings = settings;
        this.vmids = vmids;
        this.containers = containers;
        this.locator = locator;
        this.resizer = resizer;
        this.sshPublicKey = sshPublicKey;
    }

    Located create(ProvisionRequest r) {
        String template = Requests.template(r);
        String node = r.node().target();
        BerthException last = null;
        for (int attempt = 1; attempt <= settings.createAttempts(); attempt++) {
            Set<Integer> taken = locator.usedVmids();
            int vmid = vmids.reserve(taken::contains);
            String address = settings.addressPool() == null ? null : settings.addressPool().reserve(locator.usedAddresses());
            try {
                Upid upid = template.startsWith(CLONE_PREFIX)
                        ? startClone(r, node, vmid, Integer.parseInt(template.substring(CLONE_PREFIX.length())))
                        : client.startTask("POST", "nodes/" + node + "/lxc", createParams(r, vmid, template, address));
                // a failed task (TaskFailedException) removed its half-created config again: nothing to clean up
                client.awaitTask(upid, settings.taskTimeout());
                List<String> hostKeys = hostKeysFromLog(upid);
                Located ct = new Located(node, vmid, r.instanceId());
                if (template.startsWith(CLONE_PREFIX)) {
                    finishClone(ct, r, address);
                } else if (!hostKeys.isEmpty()) {
                    containers.put(ct, Map.of("description",
                            Requests.metadata(r, r.resources()).withHostKeys(hostKeys).render()));
                }
                LOG.info("created CT {} on {} for instance {}", vmid, node, r.instanceId());
                return ct;
            } catch (AlreadyExistsException e) {
                // a retried dispatch may have created it after all: adopt ours instead of making a second one
                Optional<Located> mine = locator.locate(r.instanceId());
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
        p.put("tags", BerthTags.render(r.instanceId(), address));
        p.put("description", Requests.metadata(r, r.resources()).render());
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
        p.put("description", Requests.metadata(r, r.resources()).render());
        p.put("full", true);
        p.put("storage", settings.rootfsStorage());
        return client.startTask("POST", "nodes/" + node + "/lxc/" + templateVmid + "/clone", p);
    }

    /** A clone carries the template's config: give it the instance's identity, network and size. */
    private void finishClone(Located ct, ProvisionRequest r, String address) {
        Map<String, Object> p = new LinkedHashMap<>(LxcSizing.cpuAndMemory(r.resources(), settings.swapMib()));
        p.put("net0", net0(address));
        p.put("tags", BerthTags.render(r.instanceId(), address));
        p.put("description", Requests.metadata(r, r.resources()).render());
        containers.put(ct, p);
        resizer.growDisk(ct, containers.config(ct), r.resources());
    }

    private String net0(String address) {
        return Net0.render(settings.bridge(), settings.addressPool(), address);
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
}
