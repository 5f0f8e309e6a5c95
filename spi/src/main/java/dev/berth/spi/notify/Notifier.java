package dev.berth.spi.notify;

/**
 * Sends notifications (email, chat). Synchronous. The engine calls it as a durable step with retries and a
 * failure to send never undoes a lifecycle change.
 */
public interface Notifier {

    /**
     * Sends one message. The engine may call it again for the same notification after a crash, so a
     * duplicate message is possible but rare.
     */
    void send(Notification notification);
}
