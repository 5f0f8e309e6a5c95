package dev.berth.spi;

import dev.berth.spi.error.InvalidSpecException;

import java.util.Map;
import java.util.ServiceLoader;

/** Finds a {@link ProviderFactory} for a kind among those on the class path. */
public final class Providers {

    private Providers() {
    }

    /**
     * Creates a provider of {@code kind} with the first factory that supports it.
     *
     * @throws InvalidSpecException naming {@code kind} when no factory supports it
     */
    public static RuntimeProvider create(String kind, Map<String, String> config) {
        return create(kind, config, Thread.currentThread().getContextClassLoader());
    }

    /** As {@link #create(String, Map)}, searching {@code loader}. */
    public static RuntimeProvider create(String kind, Map<String, String> config, ClassLoader loader) {
        for (ProviderFactory factory : ServiceLoader.load(ProviderFactory.class, loader)) {
            if (factory.supports(kind)) {
                return factory.create(config);
            }
        }
        throw new InvalidSpecException("kind", "no provider for '" + kind + "' on the class path");
    }
}
