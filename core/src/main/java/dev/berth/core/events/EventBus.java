package dev.berth.core.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Delivers events to the registered listeners; a listener that throws is logged and does not stop the others. */
public final class EventBus {

    private static final Logger log = LoggerFactory.getLogger(EventBus.class);

    private final List<BerthEventListener> listeners = new CopyOnWriteArrayList<>();

    /** Registers a listener; returns a handle that unregisters it. */
    public AutoCloseable subscribe(BerthEventListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    public void publish(BerthEvent event) {
        log.info("event {} instance={} {}", event.type(), event.instanceId(), event.detail() == null ? "" : event.detail());
        for (BerthEventListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("event listener {} failed on {}", l, event.type(), e);
            }
        }
    }
}
