package dev.berth.core.notify.smtp;

import dev.berth.spi.SecretValue;
import dev.berth.spi.error.InvalidSpecException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The operator's mail server and sender identity.
 *
 * @param host              SMTP server host
 * @param port              SMTP port (25, 465 for implicit TLS, 587 for STARTTLS)
 * @param security          how the connection is protected
 * @param username          SMTP login, or null when the server needs none
 * @param password          SMTP password, or null
 * @param from              sender, optionally with a display name ({@code "Acme Hosting <noreply@acme.example>"})
 * @param replyTo           where customers' replies go (the support address), or null for {@code from}
 * @param templateDirectory directory whose template files replace the built-in ones of the same name, or null;
 *                          see {@link MailTemplates} for the file names
 * @param timeout           connect, read and write timeout of the SMTP connection
 */
public record SmtpSettings(String host, int port, Security security, String username, SecretValue password, String from,
                           String replyTo, Path templateDirectory, Duration timeout) {

    /** Connection protection. */
    public enum Security {
        /** Plain SMTP (only for a relay on the same host or network). */
        NONE,
        /** Plain connection upgraded with STARTTLS, which is required. */
        STARTTLS,
        /** TLS from the first byte (SMTPS, usually port 465). */
        TLS
    }

    public SmtpSettings {
        if (host == null || host.isBlank()) {
            throw new InvalidSpecException("smtp.host", "is required");
        }
        if (port < 1 || port > 65535) {
            throw new InvalidSpecException("smtp.port", "must be 1-65535");
        }
        security = Objects.requireNonNullElse(security, Security.STARTTLS);
        if ((username == null) != (password == null)) {
            throw new InvalidSpecException("smtp.username", "username and password are given together or not at all");
        }
        address("smtp.from", from);
        if (replyTo != null) {
            address("smtp.replyTo", replyTo);
        }
        timeout = Objects.requireNonNullElse(timeout, Duration.ofSeconds(30));
        if (timeout.isNegative() || timeout.isZero()) {
            throw new InvalidSpecException("smtp.timeout", "must be positive");
        }
    }

    /** A server without login, STARTTLS required, built-in templates. */
    public static SmtpSettings of(String host, int port, String from) {
        return new SmtpSettings(host, port, Security.STARTTLS, null, null, from, null, null, null);
    }

    public SmtpSettings withSecurity(Security s) {
        return new SmtpSettings(host, port, s, username, password, from, replyTo, templateDirectory, timeout);
    }

    public SmtpSettings withLogin(String user, SecretValue pass) {
        return new SmtpSettings(host, port, security, user, pass, from, replyTo, templateDirectory, timeout);
    }

    public SmtpSettings withReplyTo(String address) {
        return new SmtpSettings(host, port, security, username, password, from, address, templateDirectory, timeout);
    }

    public SmtpSettings withTemplateDirectory(Path dir) {
        return new SmtpSettings(host, port, security, username, password, from, replyTo, dir, timeout);
    }

    public SmtpSettings withTimeout(Duration t) {
        return new SmtpSettings(host, port, security, username, password, from, replyTo, templateDirectory, t);
    }

    static InternetAddress address(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidSpecException(field, "is required");
        }
        try {
            InternetAddress a = new InternetAddress(value, true);
            a.validate();
            return a;
        } catch (AddressException e) {
            throw new InvalidSpecException(field, "is not an email address");
        }
    }
}
