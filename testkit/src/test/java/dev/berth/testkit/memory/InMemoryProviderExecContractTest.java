package dev.berth.testkit.memory;

import dev.berth.testkit.tck.ExecContract;
import dev.berth.testkit.tck.TckTarget;

class InMemoryProviderExecContractTest extends ExecContract {

    private static final InMemoryTckTarget TARGET = new InMemoryTckTarget();

    @Override protected TckTarget target() { return TARGET; }
}
