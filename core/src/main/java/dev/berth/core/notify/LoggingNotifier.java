package dev.berth.core.notify;

import dev.berth.spi.notify.Notification;
import dev.berth.spi.notify.Notifier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.TreeMap;

/**
 * The notifier used when no mail server is configured: it writes one log line per message. Credentials appear
 * by name only, never by value, so the log can be shared; the customer gets their credentials from the portal
 * ({@code instances().credentials(id)}) instead.
 */
public final class LoggingNotifier implements Notifier {

    private static final Logger log = LoggerFactory.getLogger(LoggingNotifier.class);

    @Override
    public void send(Notification n) {
        log.info("notification {} to {} about instance {}: {}; credentials {} (values not logged)",
                n.type(), n.recipient(), n.instanceId(), new TreeMap<>(n.values()), n.credentials().keySet().stream().sorted().toList());
    }
}
