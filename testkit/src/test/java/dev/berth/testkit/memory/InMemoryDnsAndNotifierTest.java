package dev.berth.testkit.memory;

import dev.berth.spi.SecretValue;
import dev.berth.spi.error.UnavailableException;
import dev.berth.spi.notify.Notification;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryDnsAndNotifierTest {

    @Test
    void dnsUpsertIsIdempotentAndDeleteOfMissingSucceeds() {
        InMemoryDnsProvider dns = new InMemoryDnsProvider();

        dns.upsert("a.example.test", "10.0.0.1");
        dns.upsert("a.example.test", "10.0.0.1");
        dns.upsert("b.example.test", "10.0.0.2");
        dns.delete("b.example.test");
        dns.delete("b.example.test");

        assertThat(dns.records()).containsExactly(Map.entry("a.example.test", "10.0.0.1"));
        assertThat(dns.changes()).isEqualTo(3);
        assertThat(dns.calls(InMemoryDnsProvider.Verb.UPSERT)).isEqualTo(3);
    }

    @Test
    void dnsFailNextBeforeAndAfterEffect() {
        InMemoryDnsProvider dns = new InMemoryDnsProvider();
        dns.failNext(InMemoryDnsProvider.Verb.UPSERT, 1, () -> new UnavailableException("api down"));
        dns.failNextAfterEffect(InMemoryDnsProvider.Verb.UPSERT, 1, () -> new UnavailableException("timeout"));

        assertThatThrownBy(() -> dns.upsert("a.example.test", "1.1.1.1")).hasMessage("api down");
        assertThat(dns.target("a.example.test")).isEmpty();
        assertThatThrownBy(() -> dns.upsert("a.example.test", "1.1.1.1")).hasMessage("timeout");
        assertThat(dns.target("a.example.test")).contains("1.1.1.1");
    }

    @Test
    void notifierRecordsOnlySuccessfulSends() {
        InMemoryNotifier notifier = new InMemoryNotifier();
        Notification ready = new Notification(Notification.Type.INSTANCE_READY, "a@example.test", "i1",
                Map.of("url", "https://i1.example.test"), Map.of("password", SecretValue.of("s3cret")));
        Notification suspended = new Notification(Notification.Type.INSTANCE_SUSPENDED, "a@example.test", "i1",
                null, null);
        notifier.failNext(InMemoryNotifier.Verb.SEND, 1, () -> new UnavailableException("smtp down"));

        assertThatThrownBy(() -> notifier.send(ready)).isInstanceOf(UnavailableException.class);
        notifier.send(ready);
        notifier.send(suspended);

        assertThat(notifier.sent()).containsExactly(ready, suspended);
        assertThat(notifier.sent(Notification.Type.INSTANCE_SUSPENDED)).containsExactly(suspended);
        assertThat(notifier.calls(InMemoryNotifier.Verb.SEND)).isEqualTo(3);
    }
}
