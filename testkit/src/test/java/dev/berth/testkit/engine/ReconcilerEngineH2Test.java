package dev.berth.testkit.engine;

import dev.berth.core.store.DatabaseSettings;

import java.util.UUID;

/** The reconciler through the engine on embedded H2. */
class ReconcilerEngineH2Test extends ReconcilerEngineContract {
    @Override
    protected DatabaseSettings freshDatabase() {
        return DatabaseSettings.h2Memory("reconciler-" + UUID.randomUUID());
    }
}
