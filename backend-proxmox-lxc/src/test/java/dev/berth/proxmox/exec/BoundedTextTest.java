package dev.berth.proxmox.exec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** One output stream kept up to a number of characters, the rest drained and dropped. */
class BoundedTextTest {

    @Test
    void outputWithinTheLimitIsKeptWhole() {
        BoundedText text = new BoundedText(10);
        write(text, "0123456789");
        assertThat(text.text()).isEqualTo("0123456789");
        assertThat(text.truncated()).isFalse();
        assertThat(new BoundedText(10).text()).isEmpty();
    }

    @Test
    void longerOutputIsCutAtTheLimitInCharactersNotBytes() {
        BoundedText ascii = new BoundedText(10);
        write(ascii, "0123456789X");
        assertThat(ascii.text()).isEqualTo("0123456789");
        assertThat(ascii.truncated()).isTrue();

        BoundedText wide = new BoundedText(4);
        write(wide, "€€€€€€€€€€€€"); // 3 bytes each
        assertThat(wide.text()).isEqualTo("€€€€");
        assertThat(wide.truncated()).isTrue();
    }

    @Test
    void aSurrogatePairIsNeverCutInHalf() {
        BoundedText text = new BoundedText(3);
        write(text, "ab😀c"); // the emoji is two chars: a, b, high | low, c
        assertThat(text.text()).isEqualTo("ab");
        assertThat(text.truncated()).isTrue();
    }

    @Test
    void everythingPastTheLimitIsDrainedWithoutGrowing() {
        BoundedText text = new BoundedText(1000);
        byte[] chunk = "x".repeat(8192).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 2048; i++) { // 16 MiB
            text.write(chunk, 0, chunk.length);
        }
        text.write('y');
        assertThat(text.text()).hasSize(1000).matches("x+");
        assertThat(text.truncated()).isTrue();
        assertThat(text.toString()).startsWith("BoundedText[3004 bytes kept, ");
    }

    @Test
    void aMultiByteCharacterSplitAcrossWritesIsDecodedWhole() {
        BoundedText text = new BoundedText(10);
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        text.write(euro, 0, 1);
        text.write(euro, 1, 2);
        assertThat(text.text()).isEqualTo("€");
    }

    private static void write(BoundedText text, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        text.write(b, 0, b.length);
    }
}
