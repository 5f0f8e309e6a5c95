package dev.berth.docker;

import dev.berth.spi.ProviderFactory;
import dev.berth.spi.RuntimeProvider;

import java.util.Map;

/**
 * Creates {@link DockerProvider}s for kind {@value DockerProvider#KIND}; the configuration keys are listed at
 * {@link DockerSettings#fromMap}. Found through {@code META-INF/services}.
 */
public final class DockerProviderFactory implements ProviderFactory {

    @Override
    public boolean supports(String kind) {
        return DockerProvider.KIND.equals(kind);
    }

    @Override
    public RuntimeProvider create(Map<String, String> config) {
        return new DockerProvider(DockerSettings.fromMap(config));
    }
}
