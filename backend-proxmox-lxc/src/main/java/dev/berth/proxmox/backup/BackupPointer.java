package dev.berth.proxmox.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.error.BerthException;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The small JSON document Berth stores in the {@link BackupStore} for a vzdump backup: the archive itself stays
 * on Proxmox storage (the API has no download for it), so the store holds where it is.
 */
final class BackupPointer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORMAT = "berth-proxmox-vzdump/1";

    private BackupPointer() {
    }

    /** A new pointer document (format already set). */
    static ObjectNode create() {
        return JSON.createObjectNode().put("format", FORMAT);
    }

    static byte[] encode(ObjectNode pointer) {
        try {
            return JSON.writeValueAsBytes(pointer);
        } catch (IOException e) {
            throw new BerthException("encoding the backup pointer failed", false, e);
        }
    }

    /** The pointer stored for {@code m}, or empty when it cannot be read (the caller only tidies up with it). */
    static Optional<JsonNode> read(BackupStore store, BackupManifest m) {
        try (InputStream in = store.open(m.backupId())) {
            return Optional.of(parse(in.readAllBytes(), m.backupId()));
        } catch (IOException | BerthException e) {
            return Optional.empty();
        }
    }

    static JsonNode parse(byte[] bytes, String backupId) {
        try {
            JsonNode p = JSON.readTree(bytes);
            if (!FORMAT.equals(p.path("format").asText()) || !p.hasNonNull("volid")) {
                throw new BerthException("backup '" + backupId + "' is not a Proxmox vzdump pointer", false);
            }
            return p;
        } catch (IOException e) {
            throw new BerthException("backup '" + backupId + "' is not a Proxmox vzdump pointer", false, e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
