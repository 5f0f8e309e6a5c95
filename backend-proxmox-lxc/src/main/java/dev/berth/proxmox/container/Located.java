package dev.berth.proxmox.container;

/**
 * Where a container is: its node and VM id, and the instance it belongs to (null when unknown, as for the
 * containers of a listing). Every call about one container goes to its own node.
 *
 * @param node       the Proxmox node holding the container
 * @param vmid       its VM id
 * @param instanceId Berth's instance id, or null
 */
public record Located(String node, int vmid, String instanceId) {

    /** A container whose instance is not known. */
    public Located(String node, int vmid) {
        this(node, vmid, null);
    }

    /** The API path of the container ({@code sub} empty) or of {@code sub} below it ({@code status/current}). */
    public String path(String sub) {
        return "nodes/" + node + "/lxc/" + vmid + (sub.isEmpty() ? "" : "/" + sub);
    }
}
