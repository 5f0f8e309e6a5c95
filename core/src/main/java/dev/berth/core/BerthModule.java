package dev.berth.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.berth.core.events.EventBus;
import dev.berth.core.lifecycle.Lifecycle;
import dev.berth.core.node.NodeService;
import dev.berth.core.plan.PlanService;
import dev.berth.core.secret.InstanceSecrets;
import dev.berth.core.secret.SecretCipher;
import dev.berth.core.secret.SecretGenerator;
import dev.berth.core.store.Database;
import dev.berth.core.tenant.TenantService;
import dev.berth.spi.RuntimeProvider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Guice wiring of Berth from a {@link BerthConfig}. Hosts that use Guice install it; others use {@link Berth#builder()}. */
public final class BerthModule extends AbstractModule {

    private final BerthConfig config;

    public BerthModule(BerthConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(BerthConfig.class).toInstance(config);
        bind(EventBus.class).toInstance(new EventBus());
    }

    @Provides
    @Singleton
    Database database() {
        return Database.open(config.database());
    }

    @Provides
    @Singleton
    SecretCipher cipher() {
        return SecretCipher.fromKeysetJson(config.keysetJson());
    }

    @Provides
    @Singleton
    InstanceSecrets secrets(Database db, SecretCipher cipher) {
        return new InstanceSecrets(db, cipher, new SecretGenerator());
    }

    @Provides
    @Singleton
    Lifecycle lifecycle(Database db, InstanceSecrets secrets, EventBus events, NodeServiceHolder nodes) {
        Map<String, RuntimeProvider> providers = new LinkedHashMap<>();
        for (RuntimeProvider p : config.providers()) {
            if (providers.putIfAbsent(p.kind(), p) != null) {
                throw new dev.berth.spi.error.InvalidSpecException("providers", "two providers of kind " + p.kind());
            }
        }
        Lifecycle lifecycle = new Lifecycle(db, providers, config.catalog(), config.placement(), Optional.ofNullable(config.dns()),
                Optional.ofNullable(config.notifier()), Optional.ofNullable(config.backupStore()), secrets, config.clock(),
                events, config.engine(), config.stepListener(), config.notifications(), config.onLostInstance());
        nodes.lifecycle = lifecycle;
        return lifecycle;
    }

    /** Lets the node registry tell the engine about new capacity without a construction cycle. */
    @Singleton
    static final class NodeServiceHolder {
        volatile Lifecycle lifecycle;
    }

    @Provides
    @Singleton
    NodeService nodes(Database db, NodeServiceHolder holder, SecretCipher cipher) {
        return new NodeService(db, nodeId -> {
            if (holder.lifecycle != null) holder.lifecycle.jobs().placeQueued();
        }, cipher);
    }

    @Provides
    @Singleton
    TenantService tenants(Database db) {
        return new TenantService(db, config.clock());
    }

    @Provides
    @Singleton
    PlanService plans(Database db) {
        // a plan may name a built-in strategy or the configured one
        var names = new java.util.ArrayList<>(dev.berth.core.placement.PlacementStrategies.names());
        names.add(config.placement().name());
        return new PlanService(db, names);
    }

    @Provides
    @Singleton
    Berth berth(Database db, Lifecycle lifecycle, TenantService tenants, PlanService plans, NodeService nodes, EventBus events) {
        return new Berth(db, lifecycle, tenants, plans, nodes, config.catalog(), events, config.providers());
    }
}
