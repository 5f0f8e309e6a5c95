package dev.berth.examples.server;

import com.google.inject.AbstractModule;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.examples.server.config.ServerConfig;
import dev.berth.examples.server.metrics.ServerMetrics;

import java.time.Clock;

/** Guice bindings of the server, next to core's {@link dev.berth.core.BerthModule}. */
final class ServerModule extends AbstractModule {

    private final ServerConfig config;
    private final EngineSettings engine;
    private final Runtimes runtimes;
    private final ServerMetrics metrics;
    private final Clock clock;

    ServerModule(ServerConfig config, EngineSettings engine, Runtimes runtimes, ServerMetrics metrics, Clock clock) {
        this.config = config;
        this.engine = engine;
        this.runtimes = runtimes;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    protected void configure() {
        bind(ServerConfig.class).toInstance(config);
        bind(EngineSettings.class).toInstance(engine);
        bind(Runtimes.class).toInstance(runtimes);
        bind(ServerMetrics.class).toInstance(metrics);
        bind(Clock.class).toInstance(clock);
    }
}
