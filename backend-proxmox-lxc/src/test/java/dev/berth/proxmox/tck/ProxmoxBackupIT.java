package dev.berth.proxmox.tck;

import dev.berth.testkit.tck.BackupContract;
import dev.berth.testkit.tck.TckTarget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The provider TCK's backup suite against the Proxmox simulator, with SSH into the containers for real. */
class ProxmoxBackupIT extends BackupContract {

    private static ProxmoxTckTarget target;

    @BeforeAll static void open() { target = new ProxmoxTckTarget(); }
    @AfterAll static void close() { if (target != null) target.close(); }
    @Override protected TckTarget target() { return target; }
}
