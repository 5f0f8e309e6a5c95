package dev.berth.core.events;

/** Receives {@link BerthEvent}s. Called on a Berth worker thread; must not block for long. */
@FunctionalInterface
public interface BerthEventListener {
    void onEvent(BerthEvent event);
}
