package dev.berth.examples.server.metrics;

import com.google.inject.Singleton;
import dev.berth.core.instance.InstanceState;
import dev.berth.core.operation.OperationStatus;
import dev.berth.core.operation.OperationType;
import dev.berth.core.store.Database;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server's Prometheus metrics: HTTP latency per route and status, placement latency, and, read from the
 * database at each scrape so that every process of a cluster reports the same totals, operations by type and
 * outcome and instances by state.
 */
@Singleton
public final class ServerMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer placement;
    private volatile Map<String, Long> operationCounts = Map.of();
    private volatile Map<InstanceState, Long> instanceCounts = Map.of();
    private Database db;

    public ServerMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        placement = Timer.builder("berth.placement.latency")
                .description("time the placement strategy takes to choose a node for an instance")
                .publishPercentileHistogram()
                .register(registry);
        for (OperationType type : OperationType.values()) {
            for (OperationStatus status : OperationStatus.values()) {
                String key = type.name() + "/" + status.name();
                Gauge.builder("berth.operations", () -> operationCounts.getOrDefault(key, 0L))
                        .description("operations recorded in the database by type and outcome")
                        .tag("type", type.name()).tag("outcome", status.name())
                        .register(registry);
            }
        }
        for (InstanceState state : InstanceState.values()) {
            Gauge.builder("berth.instances", () -> instanceCounts.getOrDefault(state, 0L))
                    .description("instances by lifecycle state")
                    .tag("state", state.name())
                    .register(registry);
        }
    }

    /** Where the operation and instance counts are read from. */
    public void countFrom(Database database) {
        this.db = database;
    }

    /** Records one HTTP request. */
    public void http(String method, String route, int status, Duration took) {
        Timer.builder("http.server.requests")
                .description("HTTP request latency by route and status")
                .tag("method", method).tag("route", route).tag("status", Integer.toString(status))
                .publishPercentileHistogram()
                .register(registry)
                .record(took.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The placement timer. */
    public Timer placement() {
        return placement;
    }

    /** The Prometheus text exposition, after refreshing the database counts. */
    public String scrape() {
        refresh();
        return registry.scrape();
    }

    private void refresh() {
        if (db == null) return;
        db.read(em -> {
            Map<String, Long> ops = new HashMap<>();
            List<Object[]> rows = em.createQuery("select o.type, o.status, count(o) from OperationEntity o group by o.type, o.status",
                    Object[].class).getResultList();
            for (Object[] r : rows) ops.put(r[0] + "/" + r[1], (Long) r[2]);
            Map<InstanceState, Long> inst = new EnumMap<>(InstanceState.class);
            for (Object[] r : em.createQuery("select i.state, count(i) from InstanceEntity i group by i.state", Object[].class).getResultList()) {
                inst.put(InstanceState.valueOf((String) r[0]), (Long) r[1]);
            }
            operationCounts = ops;
            instanceCounts = inst;
            return null;
        });
    }
}
