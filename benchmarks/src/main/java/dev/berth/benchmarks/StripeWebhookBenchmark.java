package dev.berth.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.net.Webhook;
import dev.berth.core.Berth;
import dev.berth.core.billing.WebhookResult;
import dev.berth.core.secret.SecretCipher;
import dev.berth.core.store.DatabaseSettings;
import dev.berth.spi.SecretValue;
import dev.berth.stripe.StripeBilling;
import dev.berth.stripe.StripeSettings;
import dev.berth.testkit.memory.InMemoryProvider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * End-to-end harness for the Stripe webhook acknowledgement path, {@code StripeWebhooks.handle(rawBody,
 * signature)}: signature check (HMAC-SHA256 with the 300 s tolerance), JSON parse, dedupe insert into
 * {@code stripe_events} and scheduling of the durable work in {@code stripe_scheduled_tasks}. The workers are not
 * started, so only the acknowledgement is measured (the work it queues would call the Stripe API).
 *
 * <p>Per database (embedded H2, then PostgreSQL) it runs, on fresh signed {@code customer.subscription.updated}
 * payloads of about 3 KB each:
 * <ol>
 *   <li><b>baseline</b>: the same payloads through signature check + JSON parse only (no database): the
 *       CPU-only floor, measured in the same run;</li>
 *   <li><b>saturated</b>: {@code threads} callers as fast as they can: events/s and latency percentiles;</li>
 *   <li><b>paced</b>: a fixed {@code rate} of events/s for {@code seconds}, dispatched on schedule to a pool of
 *       {@code threads} (like an HTTP server's workers); latency is measured from the scheduled send time, so a
 *       stall counts for every event it delays (no coordinated omission).</li>
 * </ol>
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.berth.benchmarks.StripeWebhookBenchmark
 * [events=20000] [rate=1000] [seconds=10] [threads=8] [db=h2,postgres]}. PostgreSQL comes from
 * {@code BERTH_BENCH_POSTGRES_URL} / {@code _USER} / {@code _PASSWORD} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/berth_stripe}, berth/berth).
 */
public final class StripeWebhookBenchmark {

    private static final String SECRET = "whsec_" + UUID.randomUUID().toString().replace("-", "");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Latency figures of one phase, in microseconds. */
    record Result(String phase, int events, double seconds, long p50, long p99, long p999, long max) {
        double perSecond() {
            return events / seconds;
        }

        String row(String db) {
            return String.format(Locale.ROOT, "| %-8s | %-10s | %7d | %10.0f | %8d | %8d | %8d | %8d |", db, phase, events, perSecond(),
                    p50, p99, p999, max);
        }
    }

    public static void main(String[] args) throws Exception {
        int events = intArg(args, "events", 20000);
        int rate = intArg(args, "rate", 1000);
        int seconds = intArg(args, "seconds", 10);
        int threads = intArg(args, "threads", 8);
        List<String> dbs = Arrays.asList(stringArg(args, "db", "h2,postgres").split(","));
        System.out.printf("Stripe webhook acknowledgement: %d events saturated, %d/s paced for %d s, %d threads, %d cores%n",
                events, rate, seconds, threads, Runtime.getRuntime().availableProcessors());

        List<String> rows = new ArrayList<>();
        for (String db : dbs) {
            DatabaseSettings settings = db.equals("postgres")
                    ? new DatabaseSettings(env("BERTH_BENCH_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/berth_stripe"),
                            env("BERTH_BENCH_POSTGRES_USER", "berth"), env("BERTH_BENCH_POSTGRES_PASSWORD", "berth"), 16)
                    : new DatabaseSettings("jdbc:h2:mem:bench-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 16);
            try (Berth berth = Berth.builder().database(settings).encryptionKeyset(SecretCipher.generateKeysetJson())
                    .provider(new InMemoryProvider()).build();
                 StripeBilling stripe = StripeBilling.builder(berth, StripeSettings.defaults(SecretValue.of("sk_test_bench"), SecretValue.of(SECRET)))
                         .build()) {
                Function<String[], Boolean> ack = p -> {
                    WebhookResult r = stripe.webhooks().handle(p[0], p[1]);
                    if (r.status() != 200 || !r.message().endsWith("accepted")) throw new IllegalStateException("unexpected answer " + r);
                    return true;
                };
                Function<String[], Boolean> baseline = p -> {
                    try {
                        Webhook.Signature.verifyHeader(p[0], p[1], SECRET, Webhook.DEFAULT_TOLERANCE);
                        return JSON.readTree(p[0]).path("id").isTextual();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                saturated("warm-up", payloads(Math.min(events, 3000)), threads, ack); // JIT, pool, caches
                rows.add(saturated("baseline", payloads(events), threads, baseline).row(db));
                rows.add(saturated("saturated", payloads(events), threads, ack).row(db));
                rows.add(paced(payloads(rate * seconds), rate, threads, ack).row(db));
            }
        }
        System.out.println();
        System.out.println("| db       | phase      |  events |   events/s | p50 (µs) | p99 (µs) | p99.9 µs | max (µs) |");
        System.out.println("|----------|------------|---------|------------|----------|----------|----------|----------|");
        rows.forEach(System.out::println);
    }

    /** Fresh events with unique ids, signed now (the tolerance is 300 s, so each phase signs its own). */
    static List<String[]> payloads(int n) {
        List<String[]> out = new ArrayList<>(n);
        long now = System.currentTimeMillis() / 1000;
        for (int k = 0; k < n; k++) {
            String id = "evt_1Qb" + UUID.randomUUID().toString().replace("-", "").substring(0, 22);
            String body = EVENT.replace("${id}", id).replace("${created}", Long.toString(now))
                    .replace("${sub}", "sub_1Qb" + Integer.toHexString(k));
            try {
                out.add(new String[] {body, Webhook.Signature.generateSignatureHeader(body, SECRET, now)});
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    static Result saturated(String phase, List<String[]> payloads, int threads, Function<String[], Boolean> call) throws InterruptedException {
        long[] latencies = new long[payloads.size()];
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch done = new CountDownLatch(threads);
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                for (int k; (k = next.getAndIncrement()) < payloads.size(); ) {
                    long t0 = System.nanoTime();
                    call.apply(payloads.get(k));
                    latencies[k] = System.nanoTime() - t0;
                }
                done.countDown();
            });
        }
        done.await();
        double secs = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return summarize(phase, latencies, secs);
    }

    static Result paced(List<String[]> payloads, int rate, int threads, Function<String[], Boolean> call) throws InterruptedException {
        long[] latencies = new long[payloads.size()];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch done = new CountDownLatch(payloads.size());
        long intervalNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        for (int k = 0; k < payloads.size(); k++) {
            long due = start + k * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            int idx = k;
            pool.execute(() -> {
                call.apply(payloads.get(idx));
                latencies[idx] = System.nanoTime() - due; // from when it should have been sent
                done.countDown();
            });
        }
        done.await();
        double secs = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return summarize("paced", latencies, secs);
    }

    static Result summarize(String phase, long[] nanos, double seconds) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return new Result(phase, s.length, seconds, pct(s, 0.50), pct(s, 0.99), pct(s, 0.999), s[s.length - 1] / 1000);
    }

    static long pct(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1000;
    }

    static int intArg(String[] args, String name, int def) {
        return Integer.parseInt(stringArg(args, name, Integer.toString(def)));
    }

    static String stringArg(String[] args, String name, String def) {
        for (String a : args) if (a.startsWith(name + "=")) return a.substring(name.length() + 1);
        return def;
    }

    static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v;
    }

    /** A customer.subscription.updated event in the shape Stripe sends (API 2026-07-29.dahlia), about 3 KB. */
    private static final String EVENT = """
            {
              "id": "${id}",
              "object": "event",
              "api_version": "2026-07-29.dahlia",
              "created": ${created},
              "data": {
                "object": {
                  "id": "${sub}",
                  "object": "subscription",
                  "application": null,
                  "automatic_tax": {"disabled_reason": null, "enabled": false, "liability": null},
                  "billing_cycle_anchor": 1772359200,
                  "billing_mode": {"flexible": null, "type": "classic"},
                  "cancel_at": null,
                  "cancel_at_period_end": false,
                  "canceled_at": null,
                  "cancellation_details": {"comment": null, "feedback": null, "reason": null},
                  "collection_method": "charge_automatically",
                  "created": 1772359200,
                  "currency": "usd",
                  "customer": "cus_RqKzQ0aXw2Lm7N",
                  "default_payment_method": "pm_1Qx9bLJ2eZvKYlo2C1yq3vTp",
                  "discounts": [],
                  "ended_at": null,
                  "invoice_settings": {"account_tax_ids": null, "issuer": {"type": "self"}},
                  "items": {
                    "object": "list",
                    "data": [{
                      "id": "si_RqL0aZ3xY8TnVb",
                      "object": "subscription_item",
                      "created": 1772359200,
                      "current_period_end": 1774951200,
                      "current_period_start": 1772359200,
                      "discounts": [],
                      "metadata": {},
                      "price": {
                        "id": "price_1QxBasicMonthlyUsd", "object": "price", "active": true, "billing_scheme": "per_unit",
                        "created": 1767225600, "currency": "usd", "livemode": false, "lookup_key": null, "metadata": {},
                        "nickname": null, "product": "prod_RqKzN3wq8JvUuP",
                        "recurring": {"interval": "month", "interval_count": 1, "meter": null, "trial_period_days": null, "usage_type": "licensed"},
                        "tax_behavior": "unspecified", "type": "recurring", "unit_amount": 1000, "unit_amount_decimal": "1000"
                      },
                      "quantity": 1,
                      "subscription": "${sub}",
                      "tax_rates": []
                    }],
                    "has_more": false,
                    "total_count": 1,
                    "url": "/v1/subscription_items?subscription=${sub}"
                  },
                  "latest_invoice": "in_1Qx9bMJ2eZvKYlo2mG2h4Kx1",
                  "livemode": false,
                  "metadata": {"berth_tenant_id": "0b6c1f5e-2f0a-4c4e-9a59-3d3f7d1c2b11", "berth_plan_id": "basic", "berth_app_id": "n8n"},
                  "pause_collection": null,
                  "payment_settings": {"payment_method_options": null, "payment_method_types": null, "save_default_payment_method": "off"},
                  "pending_update": null,
                  "schedule": null,
                  "start_date": 1772359200,
                  "status": "past_due",
                  "test_clock": null,
                  "trial_end": null,
                  "trial_start": null
                },
                "previous_attributes": {"status": "active"}
              },
              "livemode": false,
              "pending_webhooks": 1,
              "request": {"id": null, "idempotency_key": null},
              "type": "customer.subscription.updated"
            }
            """;
}
