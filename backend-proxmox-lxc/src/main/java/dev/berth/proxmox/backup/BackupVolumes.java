package dev.berth.proxmox.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.proxmox.client.ProxmoxClient;
import dev.berth.proxmox.client.Upid;
import dev.berth.proxmox.lxc.ProxmoxLxcSettings;
import dev.berth.spi.error.NotFoundException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/** The vzdump volumes on the backup storage, as seen from one node. */
final class BackupVolumes {

    private final ProxmoxClient client;
    private final ProxmoxLxcSettings settings;

    BackupVolumes(ProxmoxClient client, ProxmoxLxcSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    /** The backup volumes of {@code vmid} on the backup storage of {@code node}. */
    JsonNode list(String node, int vmid) {
        return client.get(contentPath(node), Map.of("content", "backup", "vmid", vmid));
    }

    /** The newest volume whose notes end with {@code backupId} (the notes template puts it there). */
    Optional<JsonNode> find(String node, int vmid, String backupId) {
        JsonNode best = null;
        for (JsonNode v : list(node, vmid)) {
            if (v.path("notes").asText("").endsWith(" " + backupId)
                    && (best == null || v.path("ctime").asLong() >= best.path("ctime").asLong())) {
                best = v;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Deletes a volume; one that is already gone is fine. */
    void delete(String node, String volid) {
        try {
            String path = contentPath(node) + "/" + URLEncoder.encode(volid, StandardCharsets.UTF_8);
            Upid upid = client.startTask("DELETE", path, Map.of());
            client.awaitTask(upid, settings.taskTimeout());
        } catch (NotFoundException alreadyGone) {
            // replaced volume was removed by someone else: fine
        }
    }

    private String contentPath(String node) {
        return "nodes/" + node + "/storage/" + settings.backupStorage() + "/content";
    }
}
