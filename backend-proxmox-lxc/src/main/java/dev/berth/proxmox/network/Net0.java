package dev.berth.proxmox.network;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The container's {@code net0} property: {@code eth0} on the bridge, with DHCP or a static pool address. */
public final class Net0 {

    private static final Pattern NET_IP = Pattern.compile("(?:^|,)ip=([0-9.]+)/\\d+");

    private Net0() {
    }

    /** The {@code net0} value: DHCP when {@code address} is null, else {@code address} from {@code pool}. */
    public static String render(String bridge, AddressPool pool, String address) {
        return "name=eth0,bridge=" + bridge + "," + (address == null ? "ip=dhcp" : pool.netConfig(address));
    }

    /** The static IPv4 address of a {@code net0} value; empty for DHCP. */
    public static Optional<String> staticAddress(String net0) {
        Matcher m = NET_IP.matcher(net0);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
