package dev.berth.core.lifecycle;

import dev.berth.core.Berth;
import dev.berth.core.placement.NodeCandidate;
import dev.berth.core.placement.PlacementRequest;
import dev.berth.core.placement.PlacementStrategy;
import dev.berth.core.plan.Plan;
import dev.berth.core.plan.PlanService;
import dev.berth.core.store.InstanceEntity;
import dev.berth.core.store.OperationEntity;
import dev.berth.core.store.PlanEntity;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * White-box access to one Berth's placement step, for {@code PersistedPlacementBenchmark}: it sits in the engine's
 * package (the benchmark jar is not a library) to call the package-private {@link Placement} exactly as the PLACE
 * step and the queue job do, one transaction per placement, without the rest of the provision around it. Only
 * {@code place(em, instance, operation, afterCommit)} is used, which the fleet-locking placement had too, so the
 * same probe measures both.
 */
public final class PlacementProbe {

    private final Engine engine;
    private final Placement placement;

    private PlacementProbe(Engine engine, Placement placement) {
        this.engine = engine;
        this.placement = placement;
    }

    /** The placement of {@code berth} (found through its capacity service, which holds it). */
    public static PlacementProbe of(Berth berth) {
        CapacityService capacity = berth.capacity();
        Placement placement = (Placement) read(capacity, "placement");
        return new PlacementProbe((Engine) read(placement, "engine"), placement);
    }

    /** Places one unplaced instance in its own transaction, as the PLACE step does; true when it got a node. */
    public boolean place(String instanceId) {
        List<Runnable> afterCommit = new ArrayList<>();
        boolean placed = engine.db.inTransaction(em -> {
            InstanceEntity i = em.find(InstanceEntity.class, instanceId);
            OperationEntity op = em.find(OperationEntity.class, i.activeOperation);
            return placement.place(em, i, op, afterCommit).nodeId() != null;
        });
        afterCommit.forEach(Runnable::run);
        return placed;
    }

    /**
     * The pure decision on this database's fleet as it is now (read once, no lock), for one of {@code tenantId}'s
     * instances on {@code planId}: decisions per second over about {@code millis}.
     */
    public double pureDecisionsPerSecond(String planId, String tenantId, long millis) {
        Plan plan = engine.db.read(em -> PlanService.toPlan(em.find(PlanEntity.class, planId)));
        List<NodeCandidate> candidates = engine.db.read(em ->
                Allocation.candidates(Allocation.fleet(em, engine.providers.keySet(), false), tenantId));
        PlacementStrategy strategy = placement.strategyFor(plan);
        PlacementRequest request = new PlacementRequest("probe", tenantId, null, Allocation.demand(plan), plan.isolation(),
                java.util.Map.of());
        long sink = 0;
        for (int k = 0; k < 2_000; k++) sink += strategy.place(request, candidates).rejections().size(); // warm-up
        long start = System.nanoTime();
        long deadline = start + millis * 1_000_000L;
        long n = 0;
        while (System.nanoTime() < deadline) {
            for (int k = 0; k < 100; k++) sink += strategy.place(request, candidates).rejections().size();
            n += 100;
        }
        if (sink == 42) System.out.print(""); // keep the decisions alive
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static Object read(Object owner, String field) {
        try {
            Field f = owner.getClass().getDeclaredField(field);
            f.setAccessible(true);
            return f.get(owner);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach " + owner.getClass().getSimpleName() + "." + field, e);
        }
    }
}
