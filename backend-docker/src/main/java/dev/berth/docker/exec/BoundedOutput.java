package dev.berth.docker.exec;

import dev.berth.spi.ExecResult;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One output stream of a command, kept up to {@link ExecResult#MAX_OUTPUT_CHARS} characters: the rest is read
 * (so the command never blocks on a full pipe) and dropped. Bytes are kept up to four per character, the most
 * UTF-8 needs, then decoded and cut. Thread-safe: written by the reading thread, read once it ended.
 */
final class BoundedOutput {

    private final int maxChars;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private boolean dropped;

    BoundedOutput() {
        this(ExecResult.MAX_OUTPUT_CHARS);
    }

    BoundedOutput(int maxChars) {
        this.maxChars = maxChars;
    }

    synchronized void write(byte[] data, int length) {
        int room = maxChars * 4 - kept.size();
        if (length > room) dropped = true;
        kept.write(data, 0, Math.max(0, Math.min(room, length)));
    }

    /** The text kept, at most {@code maxChars} characters. */
    synchronized String text() {
        String s = kept.toString(StandardCharsets.UTF_8);
        if (s.length() <= maxChars) return s;
        int cut = Character.isHighSurrogate(s.charAt(maxChars - 1)) ? maxChars - 1 : maxChars; // never half a pair
        return s.substring(0, cut);
    }

    /** True when output was dropped or cut. */
    synchronized boolean truncated() {
        return dropped || kept.toString(StandardCharsets.UTF_8).length() > maxChars;
    }
}
