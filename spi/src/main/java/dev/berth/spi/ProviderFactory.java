package dev.berth.spi;

import java.util.Map;

/**
 * Creates {@link RuntimeProvider}s of one kind. Implementations are listed in
 * {@code META-INF/services/dev.berth.spi.ProviderFactory} and found with {@link java.util.ServiceLoader}.
 */
public interface ProviderFactory {

    /** True when this factory creates providers of {@code kind} ("docker", "k3s", "proxmox-lxc", …). */
    boolean supports(String kind);

    /**
     * Creates a provider from its configuration (host URLs, credentials). Does not contact the runtime;
     * call {@link RuntimeProvider#testConnection()} for that.
     *
     * @throws dev.berth.spi.error.InvalidSpecException naming the configuration key that is missing or wrong
     */
    RuntimeProvider create(Map<String, String> config);
}
