package dev.berth.testkit.memory;

import dev.berth.spi.NodeRef;
import dev.berth.spi.ProvisionRequest;
import dev.berth.spi.ResourceLimits;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.error.UnavailableException;
import dev.berth.testkit.memory.InMemoryProvider.Verb;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryProviderFaultsTest {

    private final InMemoryProvider provider = new InMemoryProvider();

    @Test
    void failNextCountsDownAndCreatesNothing() {
        provider.failNext(Verb.PROVISION, 2, () -> new UnavailableException("boom"));

        assertThatThrownBy(() -> provider.provision(request("a"))).isInstanceOf(UnavailableException.class);
        assertThatThrownBy(() -> provider.provision(request("a"))).isInstanceOf(UnavailableException.class);
        assertThat(provider.contains("a")).as("failure injected before the effect").isFalse();

        provider.provision(request("a"));

        assertThat(provider.contains("a")).isTrue();
        assertThat(provider.calls(Verb.PROVISION)).isEqualTo(3);
        assertThat(provider.resourcesCreated()).isEqualTo(1);
    }

    @Test
    void failNextRulesQueueUp() {
        provider.provision(request("a"));
        provider.failNext(Verb.STATUS, 1, () -> new UnavailableException("first"));
        provider.failNext(Verb.STATUS, 1, () -> new IllegalStateException("second"));

        assertThatThrownBy(() -> provider.status("a")).hasMessage("first");
        assertThatThrownBy(() -> provider.status("a")).hasMessage("second");
        assertThat(provider.status("a").state()).isEqualTo(RuntimeState.RUNNING);
    }

    @Test
    void failAlwaysUntilCleared() {
        provider.provision(request("a"));
        provider.failAlways(Verb.SUSPEND, () -> new UnavailableException("down"));

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> provider.suspend("a")).isInstanceOf(UnavailableException.class);
        }
        assertThat(provider.status("a").state()).isEqualTo(RuntimeState.RUNNING);

        provider.clearFaults();
        provider.suspend("a");

        assertThat(provider.status("a").state()).isEqualTo(RuntimeState.STOPPED);
        assertThat(provider.calls(Verb.SUSPEND)).as("counts survive clearFaults").isEqualTo(4);
    }

    @Test
    void failNextTakesPrecedenceOverFailAlways() {
        provider.failAlways(Verb.INVENTORY, () -> new UnavailableException("always"));
        provider.failNext(Verb.INVENTORY, 1, () -> new UnavailableException("next"));

        assertThatThrownBy(provider::inventory).hasMessage("next");
        assertThatThrownBy(provider::inventory).hasMessage("always");
    }

    @Test
    void failNextAfterEffectDoesTheWorkThenThrows() {
        provider.failNextAfterEffect(Verb.PROVISION, 1, () -> new UnavailableException("timed out"));

        assertThatThrownBy(() -> provider.provision(request("a"))).hasMessage("timed out");
        assertThat(provider.contains("a")).as("the runtime did the work").isTrue();

        // the engine's retry converges instead of creating a second resource
        provider.provision(request("a"));
        assertThat(provider.createCount("a")).isEqualTo(1);
        assertThat(provider.resourcesCreated()).isEqualTo(1);
    }

    @Test
    void failNextAfterEffectOnTerminateRemovesTheInstance() {
        provider.provision(request("a"));
        provider.failNextAfterEffect(Verb.TERMINATE, 1, () -> new UnavailableException("lost answer"));

        assertThatThrownBy(() -> provider.terminate("a")).isInstanceOf(UnavailableException.class);

        assertThat(provider.contains("a")).isFalse();
        assertThatCode(() -> provider.terminate("a")).doesNotThrowAnyException();
    }

    @Test
    void delaySlowsOnlyTheDelayedVerb() {
        provider.provision(request("a"));
        provider.delay(Verb.RESUME, Duration.ofMillis(150));

        long start = System.nanoTime();
        provider.resume("a");
        long resumeMillis = (System.nanoTime() - start) / 1_000_000;
        start = System.nanoTime();
        provider.suspend("a");
        long suspendMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(resumeMillis).isGreaterThanOrEqualTo(150);
        assertThat(suspendMillis).isLessThan(150);
    }

    @Test
    void delayDoesNotBlockOtherCalls() throws Exception {
        provider.provision(request("a"));
        provider.delay(Verb.STATUS, Duration.ofMillis(500));
        Thread slow = new Thread(() -> provider.status("a"));
        slow.start();
        Thread.sleep(50);

        long start = System.nanoTime();
        provider.suspend("a");
        long millis = (System.nanoTime() - start) / 1_000_000;
        slow.join();

        assertThat(millis).as("suspend while a status call is delayed").isLessThan(400);
    }

    @Test
    void hookSeesInstanceIdAndCanAbortTheCall() {
        List<String> seen = new CopyOnWriteArrayList<>();
        provider.onCall(Verb.PROVISION, seen::add);
        provider.onCall(Verb.PROVISION, id -> {
            if (id.equals("crash")) {
                throw new IllegalStateException("worker died");
            }
        });

        provider.provision(request("a"));
        assertThatThrownBy(() -> provider.provision(request("crash"))).hasMessage("worker died");

        assertThat(seen).containsExactly("a", "crash");
        assertThat(provider.contains("crash")).isFalse();
    }

    @Test
    void callsCountFailedCallsToo() {
        assertThatThrownBy(() -> provider.resume("missing")).isInstanceOf(NotFoundException.class);
        provider.failNext(Verb.RESUME, 1, () -> new UnavailableException("x"));
        assertThatThrownBy(() -> provider.resume("missing")).isInstanceOf(UnavailableException.class);

        assertThat(provider.calls(Verb.RESUME)).isEqualTo(2);
        assertThat(provider.calls(Verb.SUSPEND)).isZero();
    }

    @Test
    void rejectsNonPositiveTimes() {
        assertThatThrownBy(() -> provider.failNext(Verb.STATUS, 0, () -> new UnavailableException("x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static ProvisionRequest request(String id) {
        return new ProvisionRequest(id, "t1", id, id + ".example.test", "app", "1.0.0", List.of(),
                ResourceLimits.guaranteed(500, 256 * ResourceLimits.MIB, ResourceLimits.GIB),
                new NodeRef("n1", InMemoryProvider.DEFAULT_TARGET, Map.of()), Map.of());
    }
}
