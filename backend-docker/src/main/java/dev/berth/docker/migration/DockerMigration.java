package dev.berth.docker.migration;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.berth.docker.backup.VolumeTransfer;
import dev.berth.docker.create.ContainerFactory;
import dev.berth.docker.create.InstanceSpec;
import dev.berth.docker.create.PlanVolumes;
import dev.berth.docker.host.DockerHost;
import dev.berth.docker.inventory.InstanceStatuses;
import dev.berth.docker.locate.InstanceLocator;
import dev.berth.docker.locate.Located;
import dev.berth.spi.ComponentSpec;
import dev.berth.spi.InstanceStatus;
import dev.berth.spi.MigrationSupport;
import dev.berth.spi.NodeRef;
import dev.berth.spi.error.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link MigrationSupport} for Docker: moves an instance between two configured hosts through a volume archive
 * on local disk ({@link VolumeTransfer}), so the hosts need no route to each other.
 */
public final class DockerMigration implements MigrationSupport {

    private static final Logger log = LoggerFactory.getLogger(DockerMigration.class);

    private final InstanceLocator locator;
    private final ContainerFactory containers;
    private final PlanVolumes plans;
    private final VolumeTransfer transfer;
    private final InstanceStatuses statuses;

    /** Migrations between the hosts the locator knows. */
    public DockerMigration(InstanceLocator locator, ContainerFactory containers, PlanVolumes plans, VolumeTransfer transfer,
                           InstanceStatuses statuses) {
        this.locator = locator;
        this.containers = containers;
        this.plans = plans;
        this.transfer = transfer;
        this.statuses = statuses;
    }

    /**
     * {@inheritDoc} The instance is stopped on its host, its volumes archived, recreated with the same spec on
     * the target (images copied over when the target lacks them and no registry serves them), filled and
     * verified, started when it ran before, and only then removed from the old host. A failure before the switch
     * removes the partial copy and starts the original again.
     */
    @Override
    public InstanceStatus migrate(String instanceId, NodeRef target) {
        Objects.requireNonNull(target, "target");
        DockerHost to = locator.host(target.target());
        List<Located> everywhere = locator.locateAll(instanceId);
        if (everywhere.isEmpty()) {
            throw new NotFoundException("instance", instanceId);
        }
        Optional<Located> source = everywhere.stream().filter(l -> l.host() != to).findFirst();
        if (source.isEmpty()) {
            return statuses.status(to, instanceId);
        }
        DockerHost from = source.get().host();
        locator.wipe(to, instanceId); // a copy left by an interrupted migration is incomplete by definition
        List<InspectContainerResponse> inspected = source.get().inspectAll();
        InstanceSpec spec = plans.specOf(from, inspected);
        boolean wasRunning = inspected.stream().anyMatch(c -> Boolean.TRUE.equals(c.getState().getRunning()));
        for (InspectContainerResponse c : inspected) {
            from.stop(c.getId());
        }
        Path archive = VolumeTransfer.tempFile("berth-migrate-");
        try {
            transfer.archiveVolumes(from, inspected, archive, false);
            for (ComponentSpec c : spec.components()) {
                containers.ensureImage(to, c.image(), from);
            }
            plans.recordDisk(to, spec);
            transfer.recreateFromArchive(to, spec, archive, 1, wasRunning);
        } catch (IOException | RuntimeException e) {
            log.warn("migration of instance {} from {} to {} failed, keeping it on {}: {}", instanceId, from.name(), to.name(), from.name(), e.getMessage());
            try {
                locator.wipe(to, instanceId);
            } finally {
                if (wasRunning) inspected.forEach(c -> from.start(c.getId()));
            }
            if (e instanceof IOException io) throw new UncheckedIOException(io);
            throw (RuntimeException) e;
        } finally {
            VolumeTransfer.deleteQuietly(archive);
        }
        locator.wipe(from, instanceId);
        return statuses.status(to, instanceId);
    }
}
