package dev.berth.proxmox.client;

import dev.berth.spi.error.InvalidSpecException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Proxmox task id: {@code UPID:node:pid:pstart:starttime:type:id:user:}. The task's status and log live only
 * on {@link #node()}, so it is always polled there.
 *
 * @param value the full UPID string
 * @param node  node the task runs on
 * @param type  task type ("vzcreate", "vzdump", …)
 * @param id    task subject (a vmid), may be empty
 * @param user  who started it ({@code user@realm!tokenid} for tokens)
 */
public record Upid(String value, String node, String type, String id, String user) {

    // pve-common src/PVE/UPID.pm; pstart may have 9 hex digits after long uptimes
    private static final Pattern FORMAT = Pattern.compile(
            "^UPID:([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):"
                    + "([^:\\s/]+):([^:\\s/]*):([^:\\s/]+):$");

    /**
     * Parses a UPID.
     *
     * @throws InvalidSpecException naming {@code upid} when the text is not a UPID
     */
    public static Upid parse(String value) {
        Matcher m = value == null ? null : FORMAT.matcher(value);
        if (m == null || !m.matches()) {
            throw new InvalidSpecException("upid", "not a Proxmox task id: '" + value + "'");
        }
        return new Upid(value, m.group(1), m.group(6), m.group(7), m.group(8));
    }

    @Override
    public String toString() {
        return value;
    }
}
