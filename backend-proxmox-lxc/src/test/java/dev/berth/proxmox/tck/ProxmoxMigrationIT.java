package dev.berth.proxmox.tck;

import dev.berth.testkit.tck.MigrationContract;
import dev.berth.testkit.tck.TckTarget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The provider TCK's migration suite against the Proxmox simulator, with SSH into the containers for real. */
class ProxmoxMigrationIT extends MigrationContract {

    private static ProxmoxTckTarget target;

    @BeforeAll static void open() { target = new ProxmoxTckTarget(); }
    @AfterAll static void close() { if (target != null) target.close(); }
    @Override protected TckTarget target() { return target; }
}
