package dev.berth.core.catalog;

/**
 * A persistent data path of a component. Everything the app must keep across restarts, upgrades, backups and
 * migrations lives under one of these paths; anything else is disposable.
 *
 * @param name short name, unique within the component ("data", "content")
 * @param path absolute path inside the container or LXC ("/home/node/.n8n")
 */
public record VolumeSpec(String name, String path) { }
