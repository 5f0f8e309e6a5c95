package dev.berth.k3s.it;

import dev.berth.testkit.tck.BackupContract;
import dev.berth.testkit.tck.TckTarget;
import org.junit.jupiter.api.BeforeAll;

/** The provider TCK's backup suite against the real test API server (archiver pods run in Docker by {@link FakeKubelet}). */
class K3sBackupIT extends BackupContract {

    private static K3sTckTarget target;

    @BeforeAll static void open() { target = new K3sTckTarget(); }
    @Override protected TckTarget target() { return target; }
}
