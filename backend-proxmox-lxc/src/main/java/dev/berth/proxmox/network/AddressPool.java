package dev.berth.proxmox.network;

import dev.berth.spi.error.InsufficientCapacityException;
import dev.berth.spi.error.InvalidSpecException;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * IPv4 addresses Berth assigns to containers on the bridge when the network has no DHCP: {@code first..last}
 * in a subnet of {@code prefix} bits with a gateway. Used addresses are read from the containers' configs, so
 * the pool needs no storage of its own; reservations cover creations in flight in this process.
 */
public final class AddressPool {

    private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)");

    private final long first;
    private final long last;
    private final int prefix;
    private final String gateway;
    private final Set<Long> reserved = new HashSet<>(); // guarded by this

    public AddressPool(String first, String last, int prefix, String gateway) {
        this.first = toLong("network.pool.first", first);
        this.last = toLong("network.pool.last", last);
        if (this.first > this.last) {
            throw new InvalidSpecException("network.pool.last", "must not come before network.pool.first");
        }
        if (prefix < 8 || prefix > 32) {
            throw new InvalidSpecException("network.pool.prefix", "must be 8..32");
        }
        toLong("network.pool.gateway", gateway);
        this.prefix = prefix;
        this.gateway = gateway;
    }

    /** Reserves the lowest address that is neither in {@code used} nor reserved. */
    public synchronized String reserve(Set<String> used) {
        Set<Long> busy = new HashSet<>(reserved);
        used.forEach(u -> busy.add(toLong("ip", u)));
        for (long a = first; a <= last; a++) {
            if (!busy.contains(a)) {
                reserved.add(a);
                return toText(a);
            }
        }
        throw new InsufficientCapacityException("address pool " + toText(first) + ".." + toText(last) + " is exhausted");
    }

    /** Ends a reservation (the address is now in a container's config, or the creation failed). */
    public synchronized void release(String address) {
        reserved.remove(toLong("ip", address));
    }

    /** The {@code ip=…,gw=…} part of a {@code net0} value for {@code address}. */
    public String netConfig(String address) {
        return "ip=" + address + "/" + prefix + ",gw=" + gateway;
    }

    private static long toLong(String field, String ip) {
        if (ip == null || !IPV4.matcher(ip).matches()) {
            throw new InvalidSpecException(field, "must be an IPv4 address, was '" + ip + "'");
        }
        long v = 0;
        for (String part : ip.split("\\.")) {
            v = (v << 8) | Integer.parseInt(part);
        }
        return v;
    }

    private static String toText(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }
}
