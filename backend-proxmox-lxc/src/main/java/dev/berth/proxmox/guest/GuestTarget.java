package dev.berth.proxmox.guest;

/**
 * The container a {@link GuestConfigurer} works on.
 *
 * @param instanceId    Berth's instance id
 * @param vmid          the container's Proxmox id
 * @param node          the Proxmox node it runs on
 * @param address       its IPv4 address on the configured bridge
 * @param hostKeySha256 the SHA-256 fingerprint of its SSH host key (base64, as {@code ssh-keygen -l} prints it
 *                      after {@code SHA256:}) when Proxmox reported one at creation, else null
 */
public record GuestTarget(String instanceId, int vmid, String node, String address, String hostKeySha256) { }
