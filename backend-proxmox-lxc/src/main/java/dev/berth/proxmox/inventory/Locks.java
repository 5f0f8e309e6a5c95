package dev.berth.proxmox.inventory;

import dev.berth.proxmox.container.Located;
import dev.berth.spi.error.ConflictException;
import dev.berth.spi.error.NotFoundException;
import dev.berth.spi.wait.Poll;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;

/**
 * Waits for a container's {@code lock} (backup, migrate, create, …) to clear: Proxmox refuses most calls on a
 * locked container, and the lock of someone else's task ends by itself. Every verb waits here first.
 */
public final class Locks {

    private static final Logger LOG = LoggerFactory.getLogger(Locks.class);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(100);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(2);

    private final ContainerApi containers;
    private final ContainerLocator locator;
    private final Duration lockWait;

    /**
     * @param containers reads the lock
     * @param locator    finds a container again after someone else migrated it
     * @param lockWait   how long a lock may last before the verb gives up
     */
    public Locks(ContainerApi containers, ContainerLocator locator, Duration lockWait) {
        this.containers = containers;
        this.locator = locator;
        this.lockWait = lockWait;
    }

    /**
     * Waits until the container's lock is gone and returns where it is then: a migration by someone else moves
     * it, so a container that vanished from its node is looked up again.
     *
     * @throws ConflictException (retryable) when it is still locked after the lock wait
     */
    public Located awaitUnlocked(Located start) {
        Located[] ct = {start};
        String[] lock = {""};
        return Poll.every(FIRST_PAUSE).doublingUpTo(MAX_PAUSE).atMost(lockWait).until(() -> {
            ct[0] = readLock(ct[0], lock);
            if (lock[0].isEmpty()) {
                return Optional.of(ct[0]);
            }
            LOG.debug("CT {} is locked ({}); waiting", ct[0].vmid(), lock[0]);
            return Optional.empty();
        }, () -> new ConflictException("CT " + ct[0].vmid() + " on " + ct[0].node() + " is still locked (" + lock[0]
                + ") after " + lockWait));
    }

    /** Reads the lock into {@code lock[0]}, following the container when it moved; returns where it was read. */
    private Located readLock(Located ct, String[] lock) {
        Located at = ct;
        while (true) {
            try {
                lock[0] = containers.current(at).path("lock").asText("");
                return at;
            } catch (NotFoundException moved) {
                if (at.instanceId() == null) {
                    throw moved;
                }
                at = locator.require(at.instanceId());
            }
        }
    }
}
