package dev.berth.testkit.memory;

import dev.berth.testkit.tck.MigrationContract;
import dev.berth.testkit.tck.TckTarget;

class InMemoryProviderMigrationContractTest extends MigrationContract {

    private static final InMemoryTckTarget TARGET = new InMemoryTckTarget();

    @Override protected TckTarget target() { return TARGET; }
}
