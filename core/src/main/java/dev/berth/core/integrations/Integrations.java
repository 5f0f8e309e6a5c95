package dev.berth.core.integrations;

import dev.berth.core.Berth;
import dev.berth.core.backup.local.LocalBackupStore;
import dev.berth.core.dns.cloudflare.CloudflareDnsProvider;
import dev.berth.core.notify.LoggingNotifier;
import dev.berth.core.notify.NotificationSettings;
import dev.berth.core.notify.smtp.SmtpNotifier;
import dev.berth.spi.backup.BackupStore;
import dev.berth.spi.dns.DnsProvider;
import dev.berth.spi.notify.Notifier;

import java.time.Clock;
import java.util.Optional;

/**
 * The DNS provider, notifier and backup store built from {@link IntegrationSettings}, ready to hand to
 * {@link Berth.Builder}. Close it after Berth to release the DNS client's connections.
 */
public final class Integrations implements AutoCloseable {

    private final CloudflareDnsProvider dns;
    private final Notifier notifier;
    private final BackupStore backupStore;
    private final NotificationSettings notifications;

    private Integrations(CloudflareDnsProvider dns, Notifier notifier, BackupStore backupStore, NotificationSettings notifications) {
        this.dns = dns;
        this.notifier = notifier;
        this.backupStore = backupStore;
        this.notifications = notifications;
    }

    /** Builds the integrations; {@code clock} stamps backups written without a time. */
    public static Integrations create(IntegrationSettings settings, Clock clock) {
        // wildcard mode needs no client at all: the engine then makes no DNS calls
        CloudflareDnsProvider dns = settings.dns() == null || settings.dns().wildcard() ? null : CloudflareDnsProvider.create(settings.dns());
        Notifier notifier = settings.smtp() == null ? new LoggingNotifier() : new SmtpNotifier(settings.smtp());
        return new Integrations(dns, notifier, new LocalBackupStore(settings.backups(), clock), settings.notifications());
    }

    /** Sets DNS (when configured), notifier, backup store and notification settings on the builder. */
    public Berth.Builder configure(Berth.Builder builder) {
        return builder.dns(dns).notifier(notifier).backupStore(backupStore).notifications(notifications);
    }

    public Optional<DnsProvider> dns() {
        return Optional.ofNullable(dns);
    }

    public Notifier notifier() {
        return notifier;
    }

    public BackupStore backupStore() {
        return backupStore;
    }

    @Override
    public void close() {
        if (dns != null) dns.close();
    }
}
