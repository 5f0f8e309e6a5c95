package dev.berth.examples.server;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.berth.core.Berth;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.examples.server.config.ServerConfig;
import dev.berth.examples.server.metrics.ServerMetrics;
import dev.berth.spi.SecretValue;
import dev.berth.stripe.StripeBilling;
import dev.berth.stripe.StripeSettings;

import java.time.Clock;
import java.util.Optional;

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

    /** Stripe billing over the server's Berth and clock, when configured; started and closed by {@link BerthServer}. */
    @Provides
    @Singleton
    Optional<StripeBilling> stripe(Berth berth) {
        ServerConfig.StripeConfig c = config.stripe();
        if (!c.enabled()) return Optional.empty();
        StripeSettings d = StripeSettings.defaults(SecretValue.of(c.apiKey()), SecretValue.of(c.webhookSecret()));
        StripeSettings settings = new StripeSettings(d.apiKey(), d.webhookSecret(), c.apiBase(), d.signatureTolerance(),
                d.schedulerName(), d.workerThreads(), d.pollInterval(), d.retryBase(), d.maxAttempts(),
                c.reconcileInterval() == null ? d.reconcileInterval() : c.reconcileInterval(), d.sweepAfter());
        return Optional.of(StripeBilling.builder(berth, settings).clock(clock).build());
    }
}
