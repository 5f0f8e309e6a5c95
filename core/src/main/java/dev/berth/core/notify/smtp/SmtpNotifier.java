package dev.berth.core.notify.smtp;

import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.notify.Notification;
import dev.berth.spi.notify.Notifier;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Properties;

/**
 * {@link Notifier} that sends email through the operator's SMTP server (Jakarta Mail, Eclipse Angus). Each
 * message has a plain-text and an HTML part rendered from {@link MailTemplates}, the configured sender and
 * reply-to. Failures are typed for the engine's retries: a server that cannot be reached or answers with a
 * temporary error is retryable, refused credentials are an {@link AuthenticationException}, a recipient the server
 * rejects is permanent. No credential or password ever reaches a log line or an exception message.
 */
public final class SmtpNotifier implements Notifier {

    private static final Logger log = LoggerFactory.getLogger(SmtpNotifier.class);

    private final SmtpSettings settings;
    private final Session session;
    private final MailTemplates templates;
    private final InternetAddress from;

    public SmtpNotifier(SmtpSettings settings) {
        this.settings = settings;
        this.templates = new MailTemplates(settings.templateDirectory());
        this.from = SmtpSettings.address("smtp.from", settings.from());
        this.session = Session.getInstance(properties(settings));
    }

    private static Properties properties(SmtpSettings s) {
        String protocol = s.security() == SmtpSettings.Security.TLS ? "smtps" : "smtp";
        String p = "mail." + protocol + ".";
        Properties props = new Properties();
        props.put("mail.transport.protocol", protocol);
        props.put(p + "host", s.host());
        props.put(p + "port", String.valueOf(s.port()));
        props.put(p + "auth", String.valueOf(s.username() != null));
        String timeout = String.valueOf(s.timeout().toMillis());
        props.put(p + "connectiontimeout", timeout);
        props.put(p + "timeout", timeout);
        props.put(p + "writetimeout", timeout);
        if (s.security() == SmtpSettings.Security.STARTTLS) {
            props.put(p + "starttls.enable", "true");
            props.put(p + "starttls.required", "true");
        }
        if (s.security() != SmtpSettings.Security.NONE) {
            props.put(p + "ssl.checkserveridentity", "true");
        }
        return props;
    }

    @Override
    public void send(Notification n) {
        InternetAddress to = recipient(n.recipient());
        MailTemplates.Mail mail = templates.render(n);
        try {
            MimeMessage message = new MimeMessage(session);
            message.setFrom(from);
            if (settings.replyTo() != null) {
                message.setReplyTo(new InternetAddress[] {SmtpSettings.address("smtp.replyTo", settings.replyTo())});
            }
            message.setRecipient(Message.RecipientType.TO, to);
            message.setSubject(mail.subject(), StandardCharsets.UTF_8.name());
            message.setSentDate(new Date());
            MimeBodyPart text = new MimeBodyPart();
            text.setText(mail.text(), StandardCharsets.UTF_8.name(), "plain");
            MimeBodyPart html = new MimeBodyPart();
            html.setText(mail.html(), StandardCharsets.UTF_8.name(), "html");
            // alternatives go from plainest to richest; clients show the last one they can
            MimeMultipart body = new MimeMultipart("alternative", text, html);
            message.setContent(body);
            message.saveChanges();
            if (settings.username() != null) {
                Transport.send(message, settings.username(), settings.password().reveal());
            } else {
                Transport.send(message);
            }
            log.info("sent {} about instance {} to {}", n.type(), n.instanceId(), to.getAddress());
        } catch (AuthenticationFailedException e) {
            throw new AuthenticationException("SMTP server " + settings.host() + " refused the login of user "
                    + settings.username() + "; check smtp.username and smtp.password");
        } catch (SendFailedException e) {
            if (e.getInvalidAddresses() != null && e.getInvalidAddresses().length > 0) {
                throw new BerthException("SMTP server " + settings.host() + " rejected recipient " + to.getAddress()
                        + ": " + e.getMessage(), false);
            }
            throw new UnavailableException("sending " + n.type() + " via " + settings.host() + " failed: " + e.getMessage(), e);
        } catch (MessagingException e) {
            throw new UnavailableException("sending " + n.type() + " via " + settings.host() + ":" + settings.port()
                    + " failed: " + e.getMessage(), e);
        }
    }

    private static InternetAddress recipient(String address) {
        try {
            return SmtpSettings.address("recipient", address);
        } catch (InvalidSpecException e) {
            throw new InvalidSpecException("recipient", "'" + address + "' is not an email address");
        }
    }
}
