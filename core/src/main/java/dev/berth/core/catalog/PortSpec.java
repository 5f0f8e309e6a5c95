package dev.berth.core.catalog;

/**
 * A port a component of an app template listens on inside its container or LXC.
 *
 * @param name short name, unique within the component ("http", "mysql")
 * @param port port number, 1-65535
 */
public record PortSpec(String name, int port) { }
