package dev.berth.proxmox.guest;

/**
 * Configures the app inside a running container. The Proxmox API cannot run commands in a container, so
 * writing the env file with the instance's generated secrets and restarting the services goes through this
 * SPI; {@link SshGuestConfigurer} is the default. Implementations must be idempotent (the same config twice
 * leaves the same files and running services) and must never log secret values.
 */
public interface GuestConfigurer {

    /**
     * Writes every service's env file and restarts the services whose file changed (or all of them when
     * {@code config.restartAll()} is set).
     *
     * @throws dev.berth.spi.error.UnavailableException when the container cannot be reached (retryable)
     */
    void configure(GuestTarget target, GuestConfig config);
}
