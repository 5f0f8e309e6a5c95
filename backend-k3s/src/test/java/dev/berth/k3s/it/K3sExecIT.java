package dev.berth.k3s.it;

import dev.berth.testkit.tck.ExecContract;
import dev.berth.testkit.tck.TckTarget;
import org.junit.jupiter.api.BeforeAll;

/** The provider TCK's exec suite through the real test API server's pods/exec, into app pods {@link FakeKubelet} runs in Docker. */
class K3sExecIT extends ExecContract {

    private static K3sTckTarget target;

    @BeforeAll static void open() { target = K3sTckTarget.inDocker(); }
    @Override protected TckTarget target() { return target; }
}
