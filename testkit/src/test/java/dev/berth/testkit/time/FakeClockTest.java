package dev.berth.testkit.time;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FakeClockTest {

    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void standsStillUntilMoved() {
        FakeClock clock = new FakeClock(START);

        assertThat(clock.instant()).isEqualTo(START);
        assertThat(clock.millis()).isEqualTo(START.toEpochMilli());
        assertThat(clock.advance(Duration.ofHours(1))).isEqualTo(START.plusSeconds(3600));
        assertThat(clock.instant()).isEqualTo(START.plusSeconds(3600));

        clock.set(START.minusSeconds(5));
        assertThat(clock.instant()).isEqualTo(START.minusSeconds(5));
    }

    @Test
    void refusesNegativeAdvance() {
        FakeClock clock = new FakeClock(START);

        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(clock.instant()).isEqualTo(START);
    }

    @Test
    void zonedCopySharesTheTime() {
        FakeClock clock = new FakeClock(START);
        FakeClock paris = clock.withZone(ZoneId.of("Europe/Paris"));

        clock.advance(Duration.ofMinutes(3));

        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(paris.instant()).isEqualTo(START.plusSeconds(180));
        assertThat(clock.getZone()).isEqualTo(ZoneId.of("Z"));
    }

    @Test
    void concurrentAdvancesAreNotLost() throws InterruptedException {
        FakeClock clock = new FakeClock(START);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    clock.advance(Duration.ofMillis(1));
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(clock.instant()).isEqualTo(START.plusMillis(8000));
    }

    @Test
    void keepsWholeMicrosecondsAsTheDatabaseDoes() {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00.123456789Z"));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:00.123456Z"));
        assertThat(clock.advance(Duration.ofNanos(1_999))).isEqualTo(Instant.parse("2026-01-01T00:00:00.123457Z"));
        clock.set(Instant.parse("2026-02-01T00:00:00.000000999Z"));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
    }
}
