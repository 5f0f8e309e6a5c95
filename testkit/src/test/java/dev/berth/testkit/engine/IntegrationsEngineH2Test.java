package dev.berth.testkit.engine;

import dev.berth.core.store.DatabaseSettings;

import java.util.UUID;

/** The integrations contract on embedded H2. */
class IntegrationsEngineH2Test extends IntegrationsEngineContract {
    @Override
    protected DatabaseSettings freshDatabase() {
        return DatabaseSettings.h2Memory("integrations-" + UUID.randomUUID());
    }
}
