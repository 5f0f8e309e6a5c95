package dev.berth.testkit.memory;

import dev.berth.testkit.tck.LifecycleContract;
import dev.berth.testkit.tck.TckTarget;

class InMemoryProviderLifecycleContractTest extends LifecycleContract {

    private static final InMemoryTckTarget TARGET = new InMemoryTckTarget();

    @Override protected TckTarget target() { return TARGET; }
}
