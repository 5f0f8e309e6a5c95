package dev.berth.core.node;

import dev.berth.spi.error.InvalidSpecException;

/**
 * How far a node's resources may be promised beyond their physical size (CPU 4:1 is common for burstable
 * plans; memory and disk usually 1:1).
 */
public record Overcommit(double cpu, double memory, double disk) {

    public static final Overcommit NONE = new Overcommit(1, 1, 1);

    public Overcommit {
        if (!(cpu >= 1 && cpu <= 64)) throw new InvalidSpecException("overcommit.cpu", "must be between 1 and 64");
        if (!(memory >= 1 && memory <= 8)) throw new InvalidSpecException("overcommit.memory", "must be between 1 and 8");
        if (!(disk >= 1 && disk <= 8)) throw new InvalidSpecException("overcommit.disk", "must be between 1 and 8");
    }
}
