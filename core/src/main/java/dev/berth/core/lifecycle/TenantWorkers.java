package dev.berth.core.lifecycle;

import java.util.HashMap;
import java.util.Map;

/**
 * How many of this process's workers each tenant's operations hold, so that one tenant with many operations cannot
 * take all of them ({@link EngineSettings#maxWorkersPerTenant()}). Per process, like the workers it shares out.
 */
final class TenantWorkers {

    private final int max;
    private final Map<String, Integer> busy = new HashMap<>(); // guarded by this

    TenantWorkers(int max) {
        this.max = max;
    }

    /** Whether there is a limit at all; without one nothing is counted. */
    boolean limited() {
        return max > 0;
    }

    /** Takes a worker for {@code tenantId} if it holds fewer than its share; false: run the operation later. */
    synchronized boolean tryTake(String tenantId) {
        int held = busy.getOrDefault(tenantId, 0);
        if (limited() && held >= max) {
            return false;
        }
        busy.put(tenantId, held + 1);
        return true;
    }

    /** Gives back a worker taken with {@link #tryTake}. */
    synchronized void giveBack(String tenantId) {
        busy.computeIfPresent(tenantId, (t, held) -> held <= 1 ? null : held - 1);
    }
}
