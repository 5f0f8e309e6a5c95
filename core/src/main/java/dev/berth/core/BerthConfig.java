package dev.berth.core;

import dev.berth.core.catalog.Catalog;
import dev.berth.core.lifecycle.EngineSettings;
import dev.berth.core.lifecycle.LostInstancePolicy;
import dev.berth.core.lifecycle.StepListener;
import dev.berth.core.notify.NotificationSettings;
import dev.berth.core.placement.PlacementStrategy;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.dns.DnsProvider;
import dev.berth.spi.notify.Notifier;

import java.time.Clock;
import java.util.List;

/**
 * Everything {@link Berth} is built from. Made by {@link Berth.Builder}; Guice users bind it and install
 * {@link BerthModule}. {@link #toString()} never shows the keyset or the database password.
 *
 * @param database     where state lives
 * @param keysetJson   the operator's Tink keyset (JSON) that encrypts instance secrets at rest
 * @param providers    the runtimes, one per kind
 * @param catalog      app templates
 * @param placement    placement strategy
 * @param dns          DNS provider, or null for none (wildcard DNS)
 * @param notifier     notifier, or null for none
 * @param backupStore  backup store, or null for none (then plans with backups cannot be terminated)
 * @param clock        the clock jobs read (a fake one in tests)
 * @param engine       engine tuning
 * @param stepListener step observer
 * @param notifications who gets which messages and how long sending is retried
 * @param onLostInstance what the reconciler does about an instance a runtime lost (null: REPORT)
 */
public record BerthConfig(DatabaseSettings database, String keysetJson, List<RuntimeProvider> providers, Catalog catalog,
                          PlacementStrategy placement, DnsProvider dns, Notifier notifier, BackupStore backupStore,
                          Clock clock, EngineSettings engine, StepListener stepListener,
                          NotificationSettings notifications, LostInstancePolicy onLostInstance) {

    public BerthConfig {
        providers = List.copyOf(providers);
        notifications = notifications == null ? NotificationSettings.defaults() : notifications;
        onLostInstance = onLostInstance == null ? LostInstancePolicy.REPORT : onLostInstance;
    }

    /** A configuration whose reconciler only reports lost instances ({@link LostInstancePolicy#REPORT}). */
    public BerthConfig(DatabaseSettings database, String keysetJson, List<RuntimeProvider> providers, Catalog catalog,
                       PlacementStrategy placement, DnsProvider dns, Notifier notifier, BackupStore backupStore,
                       Clock clock, EngineSettings engine, StepListener stepListener, NotificationSettings notifications) {
        this(database, keysetJson, providers, catalog, placement, dns, notifier, backupStore, clock, engine, stepListener,
                notifications, null);
    }

    /** A configuration with {@link NotificationSettings#defaults()}. */
    public BerthConfig(DatabaseSettings database, String keysetJson, List<RuntimeProvider> providers, Catalog catalog,
                       PlacementStrategy placement, DnsProvider dns, Notifier notifier, BackupStore backupStore,
                       Clock clock, EngineSettings engine, StepListener stepListener) {
        this(database, keysetJson, providers, catalog, placement, dns, notifier, backupStore, clock, engine, stepListener, null, null);
    }

    @Override
    public String toString() {
        return "BerthConfig[database=" + database + ", keyset=****, providers=" + providers.stream().map(RuntimeProvider::kind).toList()
                + ", placement=" + placement.name() + ", engine=" + engine + "]";
    }
}
