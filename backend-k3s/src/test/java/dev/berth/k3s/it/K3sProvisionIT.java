package dev.berth.k3s.it;

import dev.berth.testkit.tck.ProvisionContract;
import dev.berth.testkit.tck.TckTarget;
import org.junit.jupiter.api.BeforeAll;

/** The provider TCK's provisioning suite against the real test API server (readiness from {@link FakeKubelet}). */
class K3sProvisionIT extends ProvisionContract {

    private static K3sTckTarget target;

    @BeforeAll static void open() { target = new K3sTckTarget(); }
    @Override protected TckTarget target() { return target; }
}
