package dev.berth.docker.exec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class BoundedOutputTest {

    @Test
    void keepsUpToTheLimitInCharactersAndSaysWhenItCut() {
        BoundedOutput out = new BoundedOutput(4);
        byte[] text = "ab✓€xyz".getBytes(StandardCharsets.UTF_8);
        out.write(text, text.length);
        assertThat(out.text()).isEqualTo("ab✓€");
        assertThat(out.truncated()).isTrue();
    }

    @Test
    void dropsWhatIsBeyondTheByteBudgetAndStaysUntruncatedBelowTheLimit() {
        BoundedOutput small = new BoundedOutput(10);
        small.write("hello".getBytes(StandardCharsets.UTF_8), 5);
        assertThat(small.text()).isEqualTo("hello");
        assertThat(small.truncated()).isFalse();

        BoundedOutput full = new BoundedOutput(2);
        byte[] many = new byte[100];
        java.util.Arrays.fill(many, (byte) 'x');
        full.write(many, many.length);
        full.write(many, many.length);
        assertThat(full.text()).isEqualTo("xx");
        assertThat(full.truncated()).isTrue();
    }
}
