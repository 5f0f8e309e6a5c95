package dev.berth.examples.server;

import dev.berth.spi.RuntimeProvider;

import java.util.Map;

/**
 * The runtime providers this server was configured with, by kind.
 *
 * @param byKind provider per kind
 */
public record Runtimes(Map<String, RuntimeProvider> byKind) {
    public Runtimes {
        byKind = Map.copyOf(byKind);
    }
}
