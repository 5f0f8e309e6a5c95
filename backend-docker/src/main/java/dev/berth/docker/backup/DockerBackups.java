package dev.berth.docker.backup;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import dev.berth.docker.create.DataVolumes;
import dev.berth.docker.create.InstanceSpec;
import dev.berth.docker.create.PlanVolumes;
import dev.berth.docker.host.DockerLabels;
import dev.berth.docker.locate.InstanceLocator;
import dev.berth.docker.locate.Located;
import dev.berth.spi.BackupSupport;
import dev.berth.spi.backup.BackupManifest;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InvalidSpecException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * {@link BackupSupport} for Docker: an instance's volumes as one {@link VolumeArchive} in the
 * {@link BackupStore}. A restore fills a new generation of volumes ({@link DataVolumes}) and drops the old ones
 * only once the copy is verified.
 */
public final class DockerBackups implements BackupSupport {

    private final InstanceLocator locator;
    private final PlanVolumes plans;
    private final DataVolumes volumes;
    private final VolumeTransfer transfer;
    private final Clock clock;

    /** Backups of the instances the locator finds; manifests are stamped with {@code clock}. */
    public DockerBackups(InstanceLocator locator, PlanVolumes plans, DataVolumes volumes, VolumeTransfer transfer, Clock clock) {
        this.locator = locator;
        this.plans = plans;
        this.volumes = volumes;
        this.transfer = transfer;
        this.clock = clock;
    }

    /**
     * {@inheritDoc} Running containers are paused while their volumes are copied, so the archive is a
     * consistent point-in-time copy; the archive is complete on local disk before it is handed to the store.
     */
    @Override
    public BackupManifest backup(String instanceId, String backupId, BackupStore store) {
        Objects.requireNonNull(store, "store");
        if (backupId == null || backupId.isBlank()) {
            throw new InvalidSpecException("backupId", "must not be blank");
        }
        Located at = locator.require(instanceId);
        List<InspectContainerResponse> containers = at.inspectAll();
        InstanceSpec spec = InstanceSpec.fromContainers(containers);
        Path archive = VolumeTransfer.tempFile("berth-backup-");
        try {
            transfer.archiveVolumes(at.host(), containers, archive, true);
            try (InputStream in = Files.newInputStream(archive)) {
                return store.put(new BackupManifest(backupId, instanceId, spec.appId(), spec.appVersion(), clock.instant(),
                        0, null, null), in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            VolumeTransfer.deleteQuietly(archive);
        }
    }

    @Override
    public void restore(String instanceId, BackupManifest backup, BackupStore store) {
        Objects.requireNonNull(backup, "backup");
        Objects.requireNonNull(store, "store");
        Located at = locator.require(instanceId);
        Path archive = VolumeTransfer.tempFile("berth-restore-");
        try {
            try (InputStream in = store.open(backup.backupId()); OutputStream out = Files.newOutputStream(archive)) {
                in.transferTo(out);
            }
            long size = Files.size(archive);
            if ((backup.sizeBytes() > 0 && size != backup.sizeBytes())
                    || (backup.sha256() != null && !backup.sha256().equals(VolumeArchive.sha256(archive)))) {
                throw new BerthException("backup " + backup.backupId() + " does not match its manifest (size or SHA-256); nothing was restored", false);
            }
            List<InspectContainerResponse> containers = at.inspectAll();
            InstanceSpec spec = plans.specOf(at.host(), containers);
            boolean wasRunning = containers.stream().anyMatch(c -> Boolean.TRUE.equals(c.getState().getRunning()));
            int generation = volumes.maxGeneration(at.host(), instanceId) + 1;
            for (InspectContainerResponse c : containers) {
                at.host().remove(c.getId());
            }
            transfer.recreateFromArchive(at.host(), spec, archive, generation, wasRunning);
            for (InspectVolumeResponse v : at.host().volumes(DockerLabels.instance(instanceId))) {
                if (DataVolumes.isData(v) && DataVolumes.generation(v) < generation) at.host().removeVolume(v.getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            VolumeTransfer.deleteQuietly(archive);
        }
    }
}
