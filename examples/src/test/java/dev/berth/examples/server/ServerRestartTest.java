package dev.berth.examples.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

/** {@link RestartScenario} on the default database: H2 in the data folder. */
class ServerRestartTest {

    @TempDir
    Path dataDir;

    @Test
    void the_admin_key_is_made_once_and_state_survives_a_restart() {
        RestartScenario.run(TestServers.memoryEnv(dataDir, Map.of()));
    }
}
