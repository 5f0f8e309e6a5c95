package dev.berth.docker;

import dev.berth.testkit.tck.ExecContract;
import dev.berth.testkit.tck.TckTarget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The provider TCK's exec suite against the real Docker engine. */
class DockerExecIT extends ExecContract {

    private static DockerTckTarget target;

    @BeforeAll static void open() { target = DockerTckTarget.local(); }
    @AfterAll static void close() { if (target != null) target.close(); }
    @Override protected TckTarget target() { return target; }
}
