package dev.berth.proxmox.tck;

import dev.berth.testkit.tck.ExecContract;
import dev.berth.testkit.tck.TckTarget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The provider TCK's exec suite against the Proxmox simulator, over real SSH into a real shell per container. */
class ProxmoxExecIT extends ExecContract {

    private static ProxmoxTckTarget target;

    @BeforeAll static void open() { target = new ProxmoxTckTarget(); }
    @AfterAll static void close() { if (target != null) target.close(); }
    @Override protected TckTarget target() { return target; }
}
