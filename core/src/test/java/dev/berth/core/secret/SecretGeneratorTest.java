package dev.berth.core.secret;

import dev.berth.spi.SecretValue;

import dev.berth.spi.error.InvalidSpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretGeneratorTest {

    private final SecretGenerator generator = new SecretGenerator();

    @ParameterizedTest
    @ValueSource(ints = {8, 9, 32, 100, 256})
    void generatesTheRequestedLength(int length) {
        for (SecretAlphabet alphabet : SecretAlphabet.values()) {
            assertThat(generator.generate(length, alphabet).length()).isEqualTo(length);
        }
    }

    @ParameterizedTest
    @EnumSource(SecretAlphabet.class)
    void usesOnlyTheAlphabetsSymbols(SecretAlphabet alphabet) {
        String value = generator.generate(256, alphabet).reveal();
        assertThat(value.chars()).allMatch(c -> alphabet.symbols().indexOf(c) >= 0);
    }

    @Test
    void alphabetsHaveTheDocumentedSymbols() {
        assertThat(SecretAlphabet.ALPHANUMERIC.symbols()).matches("[A-Za-z0-9]{62}");
        assertThat(SecretAlphabet.HEX.symbols()).isEqualTo("0123456789abcdef");
        assertThat(SecretAlphabet.BASE64URL.symbols()).matches("[A-Za-z0-9_-]{64}");
        for (SecretAlphabet alphabet : SecretAlphabet.values()) {
            assertThat(alphabet.symbols().chars().distinct().count()).isEqualTo(alphabet.size());
        }
    }

    @ParameterizedTest
    @EnumSource(SecretAlphabet.class)
    void everySymbolTurnsUpAndNoneDominates(SecretAlphabet alphabet) {
        int[] counts = new int[128];
        int total = 0;
        for (int i = 0; i < 200; i++) {
            for (char c : generator.generate(256, alphabet).reveal().toCharArray()) {
                counts[c]++;
                total++;
            }
        }
        double expected = (double) total / alphabet.size();
        for (char c : alphabet.symbols().toCharArray()) {
            // 51,200 draws: each symbol is expected 800..3,200 times; ±25 % is many standard deviations wide
            assertThat((double) counts[c]).as("count of '%s'", c).isBetween(expected * 0.75, expected * 1.25);
        }
    }

    @Test
    void secretsAreUnique() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(generator.generate(16, SecretAlphabet.ALPHANUMERIC).reveal())).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 7, 257, Integer.MAX_VALUE})
    void rejectsLengthOutOfRange(int length) {
        assertThatThrownBy(() -> generator.generate(length, SecretAlphabet.HEX))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("length"))
                .hasMessageContaining("between 8 and 256");
    }

    @Test
    void rejectsNullAlphabet() {
        assertThatThrownBy(() -> generator.generate(16, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void generatedValueIsMasked() {
        SecretValue value = generator.generate(32, SecretAlphabet.BASE64URL);
        assertThat(value.toString()).isEqualTo("****");
        assertThat(generator.toString()).doesNotContain(value.reveal());
    }
}
