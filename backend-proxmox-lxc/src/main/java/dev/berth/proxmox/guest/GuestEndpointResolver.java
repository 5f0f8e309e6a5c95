package dev.berth.proxmox.guest;

import java.net.InetSocketAddress;

/**
 * Where to open the SSH connection to a container. The default is its address on port 22; an operator whose
 * Berth host cannot route to the bridge can map to a jump host's forwarded port, and tests map to an
 * in-process SSH server standing in for the container.
 */
@FunctionalInterface
public interface GuestEndpointResolver {

    /** The socket address to connect to for {@code target}. */
    InetSocketAddress resolve(GuestTarget target);

    /** {@code address:port}. */
    static GuestEndpointResolver direct(int port) {
        return target -> new InetSocketAddress(target.address(), port);
    }
}
