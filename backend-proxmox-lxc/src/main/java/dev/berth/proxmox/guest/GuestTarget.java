package dev.berth.proxmox.guest;

/**
 * The container a {@link GuestConfigurer} works on.
 *
 * @param instanceId    Berth's instance id
 * @param vmid          the container's Proxmox id
 * @param node          the Proxmox node it runs on
 * @param address       its IPv4 address on the configured bridge
 * @param hostKeys   SHA-256 fingerprints of its SSH host keys (base64, as {@code ssh-keygen -l} prints them after
 *                   {@code SHA256:}) that Proxmox reported when it created them; the server must present one of
 *                   them. Empty when none were reported (a clone), which means trust on first use
 */
public record GuestTarget(String instanceId, int vmid, String node, String address, java.util.List<String> hostKeys) {
    public GuestTarget {
        hostKeys = hostKeys == null ? java.util.List.of() : java.util.List.copyOf(hostKeys);
    }
}
