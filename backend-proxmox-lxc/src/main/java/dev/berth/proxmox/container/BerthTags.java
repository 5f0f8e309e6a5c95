package dev.berth.proxmox.container;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Proxmox tags Berth puts on its containers. Tags show in {@code /cluster/resources} for every node, even
 * an offline one whose configs cannot be read, so they are how Berth finds its containers and their pool
 * addresses without keeping any state of its own.
 */
public final class BerthTags {

    /** Tag on every container Berth created. */
    public static final String TAG = "berth";
    /** Prefix of the per-instance tag. */
    public static final String INSTANCE_TAG_PREFIX = "berth-i-";
    /** Prefix of the tag recording a pool address, so it is never handed out twice. */
    public static final String ADDRESS_TAG_PREFIX = "berth-ip-";

    private static final Pattern TAG_SAFE = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9_\\-+.]*");
    private static final String SEPARATORS = "[;, ]+";

    private BerthTags() {
    }

    /** True when {@code instanceId} can be part of a Proxmox tag (anything else could never be found again). */
    public static boolean usable(String instanceId) {
        return instanceId != null && TAG_SAFE.matcher(instanceId).matches();
    }

    /** The {@code tags} value of an instance's container, with its pool address when it has one. */
    public static String render(String instanceId, String address) {
        return TAG + ";" + INSTANCE_TAG_PREFIX + instanceId + (address == null ? "" : ";" + ADDRESS_TAG_PREFIX + address);
    }

    /** The instance a container belongs to, when its tags carry both {@link #TAG} and an instance tag. */
    public static Optional<String> instanceId(String tags) {
        boolean berth = false;
        String id = null;
        for (String t : tags.split(SEPARATORS)) {
            if (t.equals(TAG)) {
                berth = true;
            } else if (t.startsWith(INSTANCE_TAG_PREFIX)) {
                id = t.substring(INSTANCE_TAG_PREFIX.length());
            }
        }
        return berth && id != null ? Optional.of(id) : Optional.empty();
    }

    /** The pool addresses recorded in {@code tags} (normally none or one). */
    public static List<String> addresses(String tags) {
        List<String> out = new ArrayList<>();
        for (String t : tags.split(SEPARATORS)) {
            if (t.startsWith(ADDRESS_TAG_PREFIX)) {
                out.add(t.substring(ADDRESS_TAG_PREFIX.length()));
            }
        }
        return out;
    }
}
