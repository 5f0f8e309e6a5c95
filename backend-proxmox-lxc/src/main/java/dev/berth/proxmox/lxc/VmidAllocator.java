package dev.berth.proxmox.lxc;

import dev.berth.spi.error.InsufficientCapacityException;
import dev.berth.spi.error.InvalidSpecException;

import java.util.HashSet;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Hands out Proxmox VM ids from the range Berth owns. Proxmox's {@code nextid} is not a reservation (two callers
 * get the same id), so ids come from here: the lowest id in the range that the cluster does not use and that no
 * creation in this process holds. A creation that still loses a race ("already exists") asks again. Plug in an
 * implementation backed by a shared database when several Berth processes create containers in one range.
 */
public interface VmidAllocator {

    /**
     * Reserves an id for one creation attempt.
     *
     * @param taken ids the cluster already uses
     * @throws InsufficientCapacityException when the range is exhausted
     */
    int reserve(IntPredicate taken);

    /** Ends the reservation (the container now exists in the cluster, or its creation failed). */
    void release(int vmid);

    /** The in-process allocator over {@code [min, max]}. */
    static VmidAllocator range(int min, int max) {
        return new Range(min, max);
    }

    /** Lowest free id in a range; thread-safe. */
    final class Range implements VmidAllocator {
        private final int min;
        private final int max;
        private final Set<Integer> reserved = new HashSet<>(); // guarded by this

        private Range(int min, int max) {
            if (min < 100 || max > 999_999_999 || min > max) {
                throw new InvalidSpecException("vmid.range", "must lie within 100..999999999 with min <= max, was " + min + ".." + max);
            }
            this.min = min;
            this.max = max;
        }

        @Override
        public synchronized int reserve(IntPredicate taken) {
            for (int id = min; id <= max; id++) {
                if (!reserved.contains(id) && !taken.test(id)) {
                    reserved.add(id);
                    return id;
                }
            }
            throw new InsufficientCapacityException("no free VM id left in Berth's range " + min + ".." + max);
        }

        @Override
        public synchronized void release(int vmid) {
            reserved.remove(vmid);
        }
    }
}
