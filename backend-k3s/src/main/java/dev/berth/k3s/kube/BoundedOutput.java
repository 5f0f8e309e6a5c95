package dev.berth.k3s.kube;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A sink for a command's output that keeps its start and drops the rest (reading it all, so the command never
 * blocks on a full pipe): at most {@code maxChars} characters of UTF-8 text. Thread-safe: the exec stream writes
 * it, the caller reads it once the command ended.
 */
public final class BoundedOutput extends OutputStream {

    private final int maxChars;
    private final int maxBytes;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long dropped;

    /** Keeps the first {@code maxChars} characters. */
    public BoundedOutput(int maxChars) {
        if (maxChars < 0) {
            throw new IllegalArgumentException("maxChars must not be negative");
        }
        this.maxChars = maxChars;
        // a character is at most 4 bytes of UTF-8: this many bytes always hold maxChars characters
        this.maxBytes = (int) Math.min(Integer.MAX_VALUE - 8, 4L * maxChars);
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int room = Math.max(0, maxBytes - kept.size());
        int keep = Math.min(room, len);
        kept.write(b, off, keep);
        dropped += len - keep;
    }

    /** The kept text, at most {@code maxChars} characters (never ending in half a surrogate pair). */
    public synchronized String text() {
        String all = kept.toString(StandardCharsets.UTF_8);
        if (all.length() <= maxChars) {
            return all;
        }
        int end = maxChars;
        if (end > 0 && Character.isHighSurrogate(all.charAt(end - 1))) {
            end--;
        }
        return all.substring(0, end);
    }

    /** Whether output was dropped: more than {@code maxChars} characters arrived. */
    public synchronized boolean truncated() {
        return dropped > 0 || kept.toString(StandardCharsets.UTF_8).length() > maxChars;
    }

    /** {@link #text()} with its surrounding blanks removed: a message's worth of stderr. */
    public String message() {
        return text().strip();
    }

    @Override
    public String toString() {
        return "BoundedOutput[" + kept.size() + " bytes kept" + (dropped > 0 ? ", " + dropped + " dropped" : "") + "]";
    }
}
