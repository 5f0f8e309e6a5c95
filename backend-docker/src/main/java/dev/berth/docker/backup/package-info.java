/**
 * Backup and restore of an instance's volumes through a local tar archive and a {@link dev.berth.spi.backup.BackupStore}.
 */
package dev.berth.docker.backup;
