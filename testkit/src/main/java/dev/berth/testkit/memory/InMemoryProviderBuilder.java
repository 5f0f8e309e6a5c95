package dev.berth.testkit.memory;

import dev.berth.core.node.Capacity;
import dev.berth.spi.RuntimeProvider;
import dev.berth.spi.RuntimeState;
import dev.berth.spi.error.InvalidSpecException;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Builds an {@link InMemoryProvider}; lets a test turn capabilities off to exercise the engine's fallbacks. */
public final class InMemoryProviderBuilder {
    final Map<String, Capacity> targets = new LinkedHashMap<>();
    Clock clock = Clock.systemUTC();
    boolean backups = true;
    boolean migration = true;
    boolean liveResize = true;
    boolean exec = true;
    final Map<String, ExecProgram> programs = new LinkedHashMap<>();
    int startingChecks;
    Duration readyAfter = Duration.ZERO;

    InMemoryProviderBuilder() {
    }

    /** Adds (or replaces) a target. */
    public InMemoryProviderBuilder target(String name, Capacity capacity) {
        if (name == null || name.isBlank()) {
            throw new InvalidSpecException("target", "must not be blank");
        }
        targets.put(name, Objects.requireNonNull(capacity, "capacity"));
        return this;
    }

    /** Adds every target of the map. */
    public InMemoryProviderBuilder targets(Map<String, Capacity> targets) {
        Objects.requireNonNull(targets, "targets").forEach(this::target);
        return this;
    }

    /** The clock that stamps backup manifests. */
    public InMemoryProviderBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** Whether {@link RuntimeProvider#backups()} is present. */
    public InMemoryProviderBuilder backups(boolean on) {
        this.backups = on;
        return this;
    }

    /** Whether {@link RuntimeProvider#migration()} is present. */
    public InMemoryProviderBuilder migration(boolean on) {
        this.migration = on;
        return this;
    }

    /** Whether {@link RuntimeProvider#exec()} is present. */
    public InMemoryProviderBuilder exec(boolean on) {
        this.exec = on;
        return this;
    }

    /** Makes {@code name} a program that exec can run, besides the built-in shell's few. */
    public InMemoryProviderBuilder program(String name, ExecProgram program) {
        programs.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(program, "program"));
        return this;
    }

    /** Whether {@link RuntimeProvider#liveResize()} is present. */
    public InMemoryProviderBuilder liveResize(boolean on) {
        this.liveResize = on;
        return this;
    }

    /**
     * Makes the runtime start asynchronously, like a pod: a provision reports {@link RuntimeState#STARTING}, and
     * so do the next {@code checks} status calls of that instance, before it reports RUNNING. 0 (the default):
     * a provision returns a running instance.
     */
    public InMemoryProviderBuilder startingChecks(int checks) {
        if (checks < 0) {
            throw new InvalidSpecException("startingChecks", "must not be negative");
        }
        this.startingChecks = checks;
        return this;
    }

    /**
     * Makes a created instance become ready late by time, like an app that takes a while to pass its readiness
     * probe: it reports {@link RuntimeState#STARTING} until the provider's clock ({@link #clock}) passes its
     * creation time plus {@code delay}, then RUNNING (when nothing else stopped it). Combines with
     * {@link #startingChecks}: both must have passed. {@link Duration#ZERO} (the default): ready at once.
     */
    public InMemoryProviderBuilder readyAfter(Duration delay) {
        if (delay == null || delay.isNegative()) {
            throw new InvalidSpecException("readyAfter", "must not be negative");
        }
        this.readyAfter = delay;
        return this;
    }

    /** The provider; at least one target is required. */
    public InMemoryProvider build() {
        return new InMemoryProvider(this);
    }
}
