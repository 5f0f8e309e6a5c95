package dev.berth.testkit.engine;

import dev.berth.core.store.DatabaseSettings;

import java.util.UUID;

/** Placement and node management through the engine on embedded H2. */
class PlacementEngineH2Test extends PlacementEngineContract {
    @Override
    protected DatabaseSettings freshDatabase() {
        return DatabaseSettings.h2Memory("placement-" + UUID.randomUUID());
    }
}
