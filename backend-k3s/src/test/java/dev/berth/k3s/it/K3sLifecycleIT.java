package dev.berth.k3s.it;

import dev.berth.testkit.tck.LifecycleContract;
import dev.berth.testkit.tck.TckTarget;
import org.junit.jupiter.api.BeforeAll;

/** The provider TCK's lifecycle suite against the real test API server (readiness from {@link FakeKubelet}). */
class K3sLifecycleIT extends LifecycleContract {

    private static K3sTckTarget target;

    @BeforeAll static void open() { target = new K3sTckTarget(); }
    @Override protected TckTarget target() { return target; }
}
