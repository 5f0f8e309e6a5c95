package dev.berth.testkit.engine;

import dev.berth.core.store.DatabaseSettings;

/** The integrations contract on the PostgreSQL that {@code ./test.sh} starts (fails, never skips, without it). */
class IntegrationsEnginePostgresIT extends IntegrationsEngineContract {
    private final EnginePostgresIT postgres = new EnginePostgresIT();

    @Override
    protected DatabaseSettings freshDatabase() {
        return postgres.freshDatabase();
    }
}
