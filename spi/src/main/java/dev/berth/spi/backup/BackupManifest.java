package dev.berth.spi.backup;

import java.time.Instant;

/**
 * What a stored backup holds. The encryption-key reference names the secret (for example n8n's
 * {@code N8N_ENCRYPTION_KEY}) that must be restored together with the data; the key itself is never here.
 *
 * @param backupId         unique id
 * @param instanceId       instance the data came from
 * @param appId            catalog app id
 * @param appVersion       app version that wrote the data
 * @param createdAt        when the archive was finished
 * @param sizeBytes        archive size
 * @param sha256           hex SHA-256 of the archive
 * @param encryptionKeyRef name of the instance secret the data depends on, or null
 */
public record BackupManifest(String backupId, String instanceId, String appId, String appVersion, Instant createdAt,
                             long sizeBytes, String sha256, String encryptionKeyRef) { }
