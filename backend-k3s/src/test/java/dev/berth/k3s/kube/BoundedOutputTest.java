package dev.berth.k3s.kube;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeping the start of a command's output and dropping the rest. */
class BoundedOutputTest {

    @Test
    void keepsEverythingUpToTheLimit() {
        BoundedOutput out = new BoundedOutput(10);
        write(out, "0123456789");

        assertThat(out.text()).isEqualTo("0123456789");
        assertThat(out.truncated()).isFalse();
    }

    @Test
    void keepsTheFirstCharactersAndDrainsTheRest() {
        BoundedOutput out = new BoundedOutput(10);
        for (int i = 0; i < 1000; i++) {
            write(out, "abcdefghij");
        }

        assertThat(out.text()).isEqualTo("abcdefghij");
        assertThat(out.truncated()).isTrue();
        assertThat(out.toString()).contains("40 bytes kept").doesNotContain("abc");
    }

    @Test
    void countsCharactersNotBytes() {
        BoundedOutput out = new BoundedOutput(3);
        write(out, "✓✓✓");   // 9 bytes, 3 characters

        assertThat(out.text()).isEqualTo("✓✓✓");
        assertThat(out.truncated()).isFalse();

        write(out, "✓");
        assertThat(out.text()).isEqualTo("✓✓✓");
        assertThat(out.truncated()).isTrue();
    }

    @Test
    void neverEndsInHalfASurrogatePair() {
        BoundedOutput out = new BoundedOutput(3);
        write(out, "ab\uD83D\uDE00c");   // a, b, an emoji (two chars), c

        assertThat(out.text()).isEqualTo("ab");
        assertThat(out.truncated()).isTrue();
    }

    @Test
    void aMessageIsTheStrippedText() {
        BoundedOutput out = new BoundedOutput(100);
        write(out, "\nconfig file is broken\n");

        assertThat(out.message()).isEqualTo("config file is broken");
    }

    private static void write(BoundedOutput out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
    }
}
