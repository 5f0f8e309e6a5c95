package dev.berth.testkit.memory;

import dev.berth.testkit.tck.BackupContract;
import dev.berth.testkit.tck.TckTarget;

class InMemoryProviderBackupContractTest extends BackupContract {

    private static final InMemoryTckTarget TARGET = new InMemoryTckTarget();

    @Override protected TckTarget target() { return TARGET; }
}
