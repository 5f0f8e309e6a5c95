package dev.berth.testkit.memory;

import dev.berth.testkit.tck.ProvisionContract;
import dev.berth.testkit.tck.TckTarget;

class InMemoryProviderProvisionContractTest extends ProvisionContract {

    private static final InMemoryTckTarget TARGET = new InMemoryTckTarget();

    @Override protected TckTarget target() { return TARGET; }
}
