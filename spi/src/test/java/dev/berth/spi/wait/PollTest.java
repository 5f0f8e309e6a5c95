package dev.berth.spi.wait;

import dev.berth.spi.error.UnavailableException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PollTest {

    @Test
    void returnsTheFirstValueTheConditionYields() {
        AtomicInteger tries = new AtomicInteger();

        String value = Poll.every(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10))
                .until(() -> tries.incrementAndGet() < 3 ? Optional.empty() : Optional.of("ready"), IllegalStateException::new);

        assertThat(value).isEqualTo("ready");
        assertThat(tries).hasValue(3);
    }

    @Test
    void triesOnceEvenWithAZeroTimeoutThenThrowsWhatTheCallerChose() {
        AtomicInteger tries = new AtomicInteger();
        String[] last = {null};

        assertThatThrownBy(() -> Poll.every(Duration.ofMillis(1)).atMost(Duration.ZERO).until(() -> {
            tries.incrementAndGet();
            last[0] = "still STARTING";
            return Optional.empty();
        }, () -> new IllegalStateException("gave up: " + last[0])))
                .isInstanceOf(IllegalStateException.class).hasMessage("gave up: still STARTING");
        assertThat(tries).hasValue(1);
    }

    @Test
    void theDeadlineEndsAPollThatNeverSucceeds() {
        AtomicInteger tries = new AtomicInteger();

        assertThatThrownBy(() -> Poll.every(Duration.ofMillis(5)).atMost(Duration.ofMillis(60))
                .untilTrue(() -> tries.incrementAndGet() < 0, () -> new UnavailableException("timed out")))
                .isInstanceOf(UnavailableException.class);
        assertThat(tries.get()).isBetween(2, 20);
    }

    @Test
    void doublingPausesGrowToTheirCap() {
        List<Long> at = new ArrayList<>();

        Poll.every(Duration.ofMillis(4)).doublingUpTo(Duration.ofMillis(16)).atMost(Duration.ofSeconds(10))
                .untilTrue(() -> at.add(System.nanoTime()) && at.size() == 6, IllegalStateException::new);

        List<Long> gapsMillis = new ArrayList<>();
        for (int i = 1; i < at.size(); i++) gapsMillis.add((at.get(i) - at.get(i - 1)) / 1_000_000);
        // at least 4, 8, 16, 16, 16 ms apart: the pause doubles, then stays at the cap
        assertThat(gapsMillis.get(0)).isGreaterThanOrEqualTo(4);
        assertThat(gapsMillis.get(1)).isGreaterThanOrEqualTo(8);
        assertThat(gapsMillis.subList(2, 5)).allSatisfy(g -> assertThat(g).isGreaterThanOrEqualTo(16));
    }

    @Test
    void anInterruptEndsThePauseAndKeepsTheFlag() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> Poll.pause(Duration.ofSeconds(10), "CT 101 to unlock"))
                    .isInstanceOf(UnavailableException.class).hasMessageContaining("CT 101 to unlock")
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void refusesNonsensicalSettings() {
        assertThatThrownBy(() -> Poll.every(Duration.ZERO)).hasMessageContaining("interval");
        assertThatThrownBy(() -> Poll.every(Duration.ofMillis(1)).atMost(Duration.ofSeconds(-1))).hasMessageContaining("timeout");
    }
}
