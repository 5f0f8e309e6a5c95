package dev.berth.testkit.memory;

import dev.berth.spi.notify.Notification;
import dev.berth.spi.notify.Notifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Notifier} that records what it sends. Injects faults per {@link Verb} (see {@link FaultInjecting});
 * the subject passed to hooks is the notification's instance id. A failed send records nothing. Thread-safe.
 */
public final class InMemoryNotifier extends FaultInjecting<InMemoryNotifier.Verb> implements Notifier {

    /** The notifier's single operation, for fault injection. */
    public enum Verb { SEND }

    private final List<Notification> sent = new ArrayList<>(); // guarded by this

    public InMemoryNotifier() {
        super(Verb.class);
    }

    @Override
    public void send(Notification notification) {
        Objects.requireNonNull(notification, "notification");
        run(Verb.SEND, notification.instanceId(), () -> {
            synchronized (this) {
                sent.add(notification);
            }
        });
    }

    /** Everything sent so far, oldest first. */
    public synchronized List<Notification> sent() {
        return List.copyOf(sent);
    }

    /** What was sent of one type, oldest first. */
    public synchronized List<Notification> sent(Notification.Type type) {
        return sent.stream().filter(n -> n.type() == type).toList();
    }

    /** Forgets what was sent (call counts and faults stay). */
    public synchronized void clearSent() {
        sent.clear();
    }
}
