package dev.berth.testkit.engine;

import dev.berth.core.store.DatabaseSettings;

import java.util.UUID;

/** The engine contract on embedded H2, Berth's default database. */
class EngineH2Test extends EngineContract {
    @Override
    protected DatabaseSettings freshDatabase() {
        return DatabaseSettings.h2Memory("engine-" + UUID.randomUUID());
    }
}
