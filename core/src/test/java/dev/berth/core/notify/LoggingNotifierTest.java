package dev.berth.core.notify;

import dev.berth.spi.notify.Notification;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.berth.spi.SecretValue;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LoggingNotifierTest {

    @Test
    void logsTheMessageAndTheCredentialNamesButNeverTheirValues() {
        Logger logger = (Logger) LoggerFactory.getLogger(LoggingNotifier.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            new LoggingNotifier().send(new Notification(Notification.Type.INSTANCE_READY, "c@example.com", "inst-1",
                    Map.of("url", "https://a.example.com"), Map.of("ADMIN_PASSWORD", SecretValue.of("s3cr3t-value-42"))));
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).hasSize(1);
        String line = appender.list.get(0).getFormattedMessage();
        assertThat(line).contains("INSTANCE_READY", "inst-1", "https://a.example.com", "ADMIN_PASSWORD")
                .doesNotContain("s3cr3t-value-42");
    }
}
