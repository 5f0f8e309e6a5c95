package dev.berth.proxmox.exec;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One output stream of a command, kept up to a number of characters: the channel writes everything into it, the
 * first bytes are kept and the rest is counted and dropped, so a chatty command never fills memory and never
 * stalls on a full SSH window. Decoded as UTF-8 (malformed bytes become U+FFFD). Thread-safe (the channel's
 * reader thread writes, the caller reads after the channel closed).
 */
final class BoundedText extends OutputStream {

    private final int maxChars;
    /** Enough bytes for {@code maxChars} UTF-16 chars (at most 3 bytes each) plus a sequence cut at the end. */
    private final byte[] kept;
    private int size;
    private long dropped;

    /** @param maxChars how many characters {@link #text()} returns at most */
    BoundedText(int maxChars) {
        this.maxChars = maxChars;
        this.kept = new byte[Math.multiplyExact(maxChars, 3) + 4];
    }

    @Override
    public synchronized void write(int b) {
        if (size < kept.length) {
            kept[size++] = (byte) b;
        } else {
            dropped++;
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int take = Math.min(len, kept.length - size);
        System.arraycopy(b, off, kept, size, take);
        size += take;
        dropped += len - take;
    }

    /** The first {@code maxChars} characters written (never half a surrogate pair). */
    synchronized String text() {
        String all = new String(kept, 0, size, StandardCharsets.UTF_8);
        if (all.length() <= maxChars) {
            return all;
        }
        int end = Character.isHighSurrogate(all.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
        return all.substring(0, end);
    }

    /** True when more was written than {@link #text()} returns. */
    synchronized boolean truncated() {
        return dropped > 0 || new String(kept, 0, size, StandardCharsets.UTF_8).length() > maxChars;
    }

    @Override
    public String toString() {
        return "BoundedText[" + size + " bytes kept, " + dropped + " dropped]";
    }
}
