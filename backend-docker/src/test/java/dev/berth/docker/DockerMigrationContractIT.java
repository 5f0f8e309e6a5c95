package dev.berth.docker;

import dev.berth.testkit.tck.MigrationContract;
import dev.berth.testkit.tck.TckTarget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The provider TCK's migration suite against the real Docker engine. */
class DockerMigrationContractIT extends MigrationContract {

    private static DockerTckTarget target;

    @BeforeAll static void open() { target = DockerTckTarget.twoHosts(); }
    @AfterAll static void close() { if (target != null) target.close(); }
    @Override protected TckTarget target() { return target; }
}
