package dev.berth.core.dns.cloudflare;

import dev.berth.spi.SecretValue;
import dev.berth.spi.error.AuthenticationException;
import dev.berth.spi.error.BerthException;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.RateLimitedException;
import dev.berth.spi.error.UnavailableException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CloudflareDnsProviderTest {

    private final FakeCloudflare cloudflare = new FakeCloudflare();
    private final MockWebServer server = new MockWebServer();
    private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
    private final List<CloudflareDnsProvider> providers = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server.setDispatcher(cloudflare);
        server.start(0);
    }

    @AfterEach
    void stop() {
        providers.forEach(CloudflareDnsProvider::close);
        server.close();
    }

    private CloudflareSettings settings() {
        return CloudflareSettings.of(SecretValue.of(FakeCloudflare.TOKEN), FakeCloudflare.ZONE)
                .withApiBase(URI.create(server.url("/client/v4/").toString()));
    }

    /** A provider whose rate-limit waits are recorded instead of slept. */
    private CloudflareDnsProvider provider(CloudflareSettings s) {
        var p = new CloudflareDnsProvider(s, new OkHttpClient(), sleeps::add);
        providers.add(p);
        return p;
    }

    @Test
    void upsertTwiceLeavesOneRecordAndTheSecondCallOnlyReads() {
        var dns = provider(settings());
        dns.upsert("cli123.n8n.example.com", "203.0.113.10");
        int afterFirst = cloudflare.seen().size();
        dns.upsert("cli123.n8n.example.com", "203.0.113.10");

        assertThat(cloudflare.records()).hasSize(1);
        var r = cloudflare.records().get(0);
        assertThat(r.get("type").asText()).isEqualTo("A");
        assertThat(r.get("name").asText()).isEqualTo("cli123.n8n.example.com");
        assertThat(r.get("content").asText()).isEqualTo("203.0.113.10");
        assertThat(r.get("comment").asText()).isEqualTo(CloudflareDnsProvider.COMMENT);
        assertThat(cloudflare.seen().subList(afterFirst, cloudflare.seen().size()))
                .extracting(FakeCloudflare.Seen::method).containsExactly("GET");
    }

    @Test
    void recordTypeFollowsTheTargetAndProxiedAndTtlComeFromTheSettings() {
        var dns = provider(settings());
        dns.upsert("v4.example.com", "203.0.113.10");
        dns.upsert("v6.example.com", "2001:db8::10");
        dns.upsert("alias.example.com", "node-1.hosts.example.com");
        assertThat(cloudflare.records("v4.example.com").get(0).get("type").asText()).isEqualTo("A");
        assertThat(cloudflare.records("v6.example.com").get(0).get("type").asText()).isEqualTo("AAAA");
        assertThat(cloudflare.records("alias.example.com").get(0).get("type").asText()).isEqualTo("CNAME");
        assertThat(cloudflare.records("v4.example.com").get(0).get("proxied").asBoolean()).isFalse();
        assertThat(cloudflare.records("v4.example.com").get(0).get("ttl").asInt()).isEqualTo(1);

        var proxied = provider(settings().withProxied(true, 1));
        proxied.upsert("p.example.com", "203.0.113.11");
        assertThat(cloudflare.records("p.example.com").get(0).get("proxied").asBoolean()).isTrue();
        // an existing unproxied record is switched to proxied, not duplicated
        proxied.upsert("v4.example.com", "203.0.113.10");
        assertThat(cloudflare.records("v4.example.com")).hasSize(1);
        assertThat(cloudflare.records("v4.example.com").get(0).get("proxied").asBoolean()).isTrue();

        var ttl = provider(settings().withProxied(false, 300));
        ttl.upsert("t.example.com", "203.0.113.12");
        assertThat(cloudflare.records("t.example.com").get(0).get("ttl").asInt()).isEqualTo(300);
        // IPv6 written differently is the same address: nothing to change
        int before = cloudflare.seen().size();
        provider(settings()).upsert("v6.example.com", "2001:0db8:0:0:0:0:0:10");
        assertThat(cloudflare.seen().subList(before, cloudflare.seen().size())).extracting(FakeCloudflare.Seen::method)
                .containsExactly("GET");
    }

    @Test
    void aNewTargetUpdatesTheRecordInPlaceAndAChangeOfTypeReplacesIt() {
        var dns = provider(settings());
        dns.upsert("app.example.com", "203.0.113.10");
        String id = cloudflare.records().get(0).get("id").asText();
        dns.upsert("app.example.com", "203.0.113.20");
        assertThat(cloudflare.records()).hasSize(1);
        assertThat(cloudflare.records().get(0).get("id").asText()).isEqualTo(id);
        assertThat(cloudflare.records().get(0).get("content").asText()).isEqualTo("203.0.113.20");

        dns.upsert("app.example.com", "node-2.example.com");
        assertThat(cloudflare.records()).hasSize(1);
        assertThat(cloudflare.records().get(0).get("type").asText()).isEqualTo("CNAME");
        assertThat(cloudflare.records().get(0).get("content").asText()).isEqualTo("node-2.example.com");
    }

    @Test
    void duplicatesLeftByAnEarlierRaceAreCollapsedToOneRecord() {
        cloudflare.seed("A", "dup.example.com", "203.0.113.10");
        cloudflare.seed("A", "dup.example.com", "203.0.113.99");
        provider(settings()).upsert("dup.example.com", "203.0.113.10");
        assertThat(cloudflare.records("dup.example.com")).hasSize(1);
        assertThat(cloudflare.records("dup.example.com").get(0).get("content").asText()).isEqualTo("203.0.113.10");
    }

    @Test
    void deleteRemovesTheAddressRecordsOfTheNameOnlyAndIsIdempotent() {
        var dns = provider(settings());
        dns.upsert("gone.example.com", "203.0.113.10");
        dns.upsert("stays.example.com", "203.0.113.11");
        cloudflare.seed("TXT", "gone.example.com", "operator's own record");
        dns.delete("gone.example.com");
        assertThat(cloudflare.records("gone.example.com")).extracting(r -> r.get("type").asText()).containsExactly("TXT");
        assertThat(cloudflare.records("stays.example.com")).hasSize(1);
        dns.delete("gone.example.com");
        dns.delete("never-existed.example.com");
        assertThat(cloudflare.records()).hasSize(2);
    }

    @Test
    void wildcardModeMakesNoPerInstanceRecordAndCallsNothing() {
        var dns = provider(CloudflareSettings.wildcardMode());
        dns.upsert("cli123.n8n.example.com", "203.0.113.10");
        dns.delete("cli123.n8n.example.com");
        assertThat(cloudflare.seen()).isEmpty();
        assertThat(cloudflare.records()).isEmpty();
    }

    @Test
    void aRefusedTokenIsAnAuthenticationErrorThatNamesNoSecret() {
        var bad = new CloudflareSettings(SecretValue.of("wrong-token-secret"), FakeCloudflare.ZONE,
                URI.create(server.url("/client/v4/").toString()), false, 1, false, null, null);
        assertThatThrownBy(() -> provider(bad).upsert("a.example.com", "203.0.113.10"))
                .isInstanceOfSatisfying(AuthenticationException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining("9109")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-token-secret"));
        assertThat(cloudflare.records()).isEmpty();
        assertThat(bad.toString()).doesNotContain("wrong-token-secret");
    }

    @Test
    void aRateLimitIsRetriedAfterTheDelayCloudflareAsksFor() {
        cloudflare.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "7")
                .addHeader("Content-Type", "application/json")
                .body("{\"success\":false,\"errors\":[{\"code\":971,\"message\":\"Please wait and consider throttling your request speed\"}],\"messages\":[],\"result\":null}")
                .build());
        provider(settings()).upsert("rl.example.com", "203.0.113.10");
        assertThat(sleeps).containsExactly(Duration.ofSeconds(7));
        assertThat(cloudflare.records("rl.example.com")).hasSize(1);
        assertThat(cloudflare.seen()).extracting(FakeCloudflare.Seen::method).startsWith("GET", "GET");
    }

    @Test
    void theRetryReallyWaitsTheGivenDelay() {
        cloudflare.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "1").build());
        var dns = CloudflareDnsProvider.create(settings());
        providers.add(dns);
        dns.upsert("wait.example.com", "203.0.113.10");
        var seen = cloudflare.seen();
        // the server saw the refused call and the retry at least the asked second apart
        assertThat(Duration.between(seen.get(0).at(), seen.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(990));
        assertThat(cloudflare.records("wait.example.com")).hasSize(1);
    }

    @Test
    void aRateLimitLongerThanTheInlineLimitGoesToTheEngineWithItsDelay() {
        cloudflare.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "300").build());
        assertThatThrownBy(() -> provider(settings()).upsert("slow.example.com", "203.0.113.10"))
                .isInstanceOfSatisfying(RateLimitedException.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(300));
                });
        assertThat(sleeps).isEmpty();
    }

    @Test
    void conflictsAndServerErrorsAreRetryableAndOtherRefusalsAreNot() {
        for (int k = 0; k < 2; k++) cloudflare.enqueue(FakeCloudflare.error(400, 81053, "An A, AAAA, or CNAME record with that host already exists."));
        assertThatThrownBy(() -> provider(settings()).upsert("c.example.com", "203.0.113.10"))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.retryable()).isTrue())
                .hasMessageContaining("81053");

        cloudflare.enqueue(FakeCloudflare.error(502, 10001, "bad gateway"));
        assertThatThrownBy(() -> provider(settings()).upsert("c.example.com", "203.0.113.10"))
                .isInstanceOf(UnavailableException.class);

        cloudflare.enqueue(FakeCloudflare.error(400, 9005, "Content for A record is invalid."));
        assertThatThrownBy(() -> provider(settings()).upsert("c.example.com", "203.0.113.10"))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining("9005");
    }

    @Test
    void anUnreachableApiIsRetryable() {
        var s = CloudflareSettings.of(SecretValue.of(FakeCloudflare.TOKEN), FakeCloudflare.ZONE)
                .withApiBase(URI.create("http://127.0.0.1:1/client/v4/"));
        assertThatThrownBy(() -> provider(s).upsert("x.example.com", "203.0.113.10"))
                .isInstanceOfSatisfying(UnavailableException.class, e -> assertThat(e.retryable()).isTrue());
    }

    @Test
    void badInputAndSettingsAreRefusedNamingTheField() {
        var dns = provider(settings());
        assertThatThrownBy(() -> dns.upsert("not a host", "203.0.113.10"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("hostname"));
        assertThatThrownBy(() -> dns.upsert("ok.example.com", "999.1.1.1"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("target"));
        assertThatThrownBy(() -> settings().withProxied(true, 300))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("dns.cloudflare.ttl"));
        assertThatThrownBy(() -> CloudflareSettings.of(null, FakeCloudflare.ZONE))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("dns.cloudflare.apiToken"));
        assertThat(cloudflare.seen()).isEmpty();
    }
}
