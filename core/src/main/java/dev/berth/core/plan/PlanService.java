package dev.berth.core.plan;

import dev.berth.spi.ResourceLimits;

import dev.berth.core.store.Database;
import dev.berth.core.store.PlanEntity;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.InvalidSpecException;
import dev.berth.spi.error.NotFoundException;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Stores the operator's plans. Obtained from {@code Berth.plans()}. */
public final class PlanService {

    private final Database db;
    private final Set<String> strategies;

    /** @param strategies the placement strategy names a plan may name (the built-ins and the configured one) */
    public PlanService(Database db, Collection<String> strategies) {
        this.db = db;
        this.strategies = new TreeSet<>(strategies);
    }

    /**
     * Creates or replaces a plan. Idempotent. Changing a plan's resources does not touch running instances;
     * they get the new limits on their next plan change.
     *
     * @throws InvalidSpecException naming {@code placementStrategy} when the plan names an unknown strategy
     */
    public Plan save(Plan plan) {
        if (plan.placementStrategy() != null && !strategies.contains(plan.placementStrategy())) {
            throw new InvalidSpecException("placementStrategy", "unknown strategy '" + plan.placementStrategy()
                    + "'; valid: " + String.join(", ", strategies));
        }
        db.run(em -> {
            PlanEntity e = em.find(PlanEntity.class, plan.id());
            if (e == null) {
                e = new PlanEntity();
                e.id = plan.id();
                copy(plan, e);
                em.persist(e);
            } else {
                copy(plan, e);
            }
        });
        return plan;
    }

    /** @throws NotFoundException if there is no such plan */
    public Plan get(String id) {
        return find(id).orElseThrow(() -> new NotFoundException("plan", id));
    }

    public Optional<Plan> find(String id) {
        return Optional.ofNullable(db.read(em -> em.find(PlanEntity.class, id))).map(PlanService::toPlan);
    }

    public List<Plan> list() {
        return db.read(em -> em.createQuery("select p from PlanEntity p order by p.id", PlanEntity.class)
                .getResultList().stream().map(PlanService::toPlan).toList());
    }

    /** Deletes a plan; refused while instances use it. */
    public void delete(String id) {
        db.run(em -> {
            long used = em.createQuery("select count(i) from InstanceEntity i where i.planId = :p", Long.class)
                    .setParameter("p", id).getSingleResult();
            if (used > 0) {
                throw new ConflictException("plan " + id + " is used by " + used + " instance(s)");
            }
            PlanEntity e = em.find(PlanEntity.class, id);
            if (e != null) em.remove(e);
        });
    }

    private static void copy(Plan p, PlanEntity e) {
        e.name = p.name();
        e.cpuRequestMillis = p.resources().cpuRequestMillis();
        e.cpuLimitMillis = p.resources().cpuLimitMillis();
        e.memoryRequestBytes = p.resources().memoryRequestBytes();
        e.memoryLimitBytes = p.resources().memoryLimitBytes();
        e.diskBytes = p.resources().diskBytes();
        e.backupIntervalSeconds = p.backupPolicy().interval() == null ? null : p.backupPolicy().interval().toSeconds();
        e.backupRetentionSeconds = p.backupPolicy().retention().toSeconds();
        e.isolation = p.isolation().name();
        e.gracePeriodSeconds = p.gracePeriod().toSeconds();
        e.retentionSeconds = p.retention().toSeconds();
        e.priceIds = new java.util.TreeMap<>(p.priceIds());
        e.placementStrategy = p.placementStrategy();
        e.antiAffinity = p.antiAffinity();
    }

    /** Maps a row to the value; public for the engine, which reads plans inside its own transactions. */
    public static Plan toPlan(PlanEntity e) {
        var limits = new ResourceLimits(e.cpuRequestMillis, e.cpuLimitMillis, e.memoryRequestBytes, e.memoryLimitBytes, e.diskBytes);
        var backups = new BackupPolicy(e.backupIntervalSeconds == null ? null : Duration.ofSeconds(e.backupIntervalSeconds),
                Duration.ofSeconds(e.backupRetentionSeconds));
        return new Plan(e.id, e.name, limits, backups, Isolation.valueOf(e.isolation),
                Duration.ofSeconds(e.gracePeriodSeconds), Duration.ofSeconds(e.retentionSeconds), e.priceIds,
                e.placementStrategy, e.antiAffinity);
    }
}
