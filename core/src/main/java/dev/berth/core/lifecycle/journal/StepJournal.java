package dev.berth.core.lifecycle.journal;

import dev.berth.core.store.OperationStepEntity;
import jakarta.persistence.EntityManager;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The record of which steps of an operation started and which are done, kept apart from what the steps do. Every
 * method works in the caller's transaction, so that a step's journal entries commit together with its effect (or
 * with the next step's start): the engine's one write per step.
 */
public final class StepJournal {

    /** Names of the steps of {@code operationId} recorded as done, in the order they started. */
    public List<String> completed(EntityManager em, String operationId) {
        return em.createQuery("select s.step from OperationStepEntity s where s.operationId = :o"
                        + " and s.completedAt is not null order by s.seq", String.class)
                .setParameter("o", operationId).getResultList();
    }

    /** As {@link #completed(EntityManager, String)} for several operations in one query; absent ones map to none. */
    public Map<String, List<String>> completed(EntityManager em, Collection<String> operationIds) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        operationIds.forEach(id -> out.put(id, new java.util.ArrayList<>()));
        if (operationIds.isEmpty()) return out;
        em.createQuery("select s from OperationStepEntity s where s.operationId in :o and s.completedAt is not null"
                        + " order by s.operationId, s.seq", OperationStepEntity.class)
                .setParameter("o", operationIds).getResultList()
                .forEach(s -> out.get(s.operationId).add(s.step));
        return out;
    }

    /** When {@code step} of {@code operationId} first started, if it ever did. */
    public Optional<Instant> startedAt(EntityManager em, String operationId, String step) {
        return Optional.ofNullable(em.find(OperationStepEntity.class, new OperationStepEntity.Key(operationId, step)))
                .map(s -> s.startedAt);
    }

    /**
     * Records that {@code step} started at {@code at}. A step started again (a retry, a resumed operation) keeps its
     * first start: that is when the operation began waiting for it.
     */
    public void started(EntityManager em, String operationId, String step, Instant at) {
        row(em, operationId, step, at);
    }

    /** Records {@code steps} as done at {@code at} (a step whose start was never written is started then, too). */
    public void completed(EntityManager em, String operationId, Collection<String> steps, Instant at) {
        for (String step : steps) {
            OperationStepEntity s = row(em, operationId, step, at);
            if (s.completedAt == null) s.completedAt = at;
        }
    }

    private static OperationStepEntity row(EntityManager em, String operationId, String step, Instant at) {
        OperationStepEntity s = em.find(OperationStepEntity.class, new OperationStepEntity.Key(operationId, step));
        if (s != null) return s;
        // positions follow the order steps are first started in; flush so that rows added earlier in this same
        // transaction count
        em.flush();
        Integer last = em.createQuery("select max(s.seq) from OperationStepEntity s where s.operationId = :o", Integer.class)
                .setParameter("o", operationId).getSingleResult();
        s = new OperationStepEntity();
        s.operationId = operationId;
        s.step = step;
        s.seq = last == null ? 1 : last + 1;
        s.startedAt = at;
        em.persist(s);
        return s;
    }
}
