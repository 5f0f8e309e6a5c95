package dev.berth.core.integrations;

import dev.berth.core.backup.local.LocalBackupSettings;
import dev.berth.core.dns.cloudflare.CloudflareSettings;
import dev.berth.core.notify.NotificationSettings;
import dev.berth.core.notify.smtp.SmtpSettings;

import java.util.Objects;

/**
 * The integrations around provisioning, as one configuration block for a host (the example server's
 * configuration maps onto it). Every part is optional; {@link #defaults()} works with nothing configured.
 *
 * @param dns           Cloudflare DNS, or null for no DNS management (the operator points a wildcard record at the
 *                      nodes)
 * @param smtp          the mail server, or null to only log messages ({@link dev.berth.core.notify.LoggingNotifier})
 * @param backups       where backups are kept; null means {@link LocalBackupSettings#defaults()}
 * @param notifications operator address, termination warning lead time, retry budget; null means defaults
 */
public record IntegrationSettings(CloudflareSettings dns, SmtpSettings smtp, LocalBackupSettings backups,
                                  NotificationSettings notifications) {

    public IntegrationSettings {
        backups = Objects.requireNonNullElseGet(backups, LocalBackupSettings::defaults);
        notifications = Objects.requireNonNullElseGet(notifications, NotificationSettings::defaults);
    }

    /** No DNS, log-only notifier, local backups in {@code ./data/backups}. */
    public static IntegrationSettings defaults() {
        return new IntegrationSettings(null, null, null, null);
    }

    public IntegrationSettings withDns(CloudflareSettings settings) {
        return new IntegrationSettings(settings, smtp, backups, notifications);
    }

    public IntegrationSettings withSmtp(SmtpSettings settings) {
        return new IntegrationSettings(dns, settings, backups, notifications);
    }

    public IntegrationSettings withBackups(LocalBackupSettings settings) {
        return new IntegrationSettings(dns, smtp, settings, notifications);
    }

    public IntegrationSettings withNotifications(NotificationSettings settings) {
        return new IntegrationSettings(dns, smtp, backups, settings);
    }
}
