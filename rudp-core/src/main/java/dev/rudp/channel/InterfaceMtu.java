package dev.rudp.channel;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.channels.DatagramChannel;
import java.util.HashMap;
import java.util.Map;

/**
 * The largest UDP payload the outgoing interface toward a peer carries (its MTU less the IP and
 * UDP headers): the ceiling of path MTU discovery. Probing beyond it would only test the kernel's
 * own IP fragmentation, which Linux applies to datagrams larger than the interface MTU (Java 17
 * cannot set IP_MTU_DISCOVER to forbid it), and fragments turn one lost piece into a lost datagram.
 *
 * <p>The route is looked up the way the kernel would send: a throw-away unconnected UDP socket is
 * connected (no packet leaves) and its local address names the interface. Results are cached per
 * peer address for a minute, so a busy server does not enumerate interfaces per connection.
 */
final class InterfaceMtu {
    /** Assumed when the route cannot be looked up: a 1500-byte Ethernet MTU under IPv6. */
    static final int UNKNOWN_PAYLOAD = 1500 - 40 - 8;
    static final int MAX_UDP_PAYLOAD = 65_507;
    private static final long CACHE_NANOS = 60_000_000_000L;
    private static final int CACHE_ENTRIES = 4096;

    private record Entry(int payload, long expiresNanos) {
    }

    private final Map<InetAddress, Entry> cache = new HashMap<>();

    /** The payload limit toward {@code peer}, or {@link #UNKNOWN_PAYLOAD} if the route is unknown. */
    int payloadLimit(InetSocketAddress peer, long nowNanos) {
        InetAddress address = peer.getAddress();
        if (address == null) {
            return UNKNOWN_PAYLOAD;
        }
        Entry e = cache.get(address);
        if (e != null && nowNanos - e.expiresNanos < 0) {
            return e.payload;
        }
        int payload = lookup(peer);
        if (cache.size() >= CACHE_ENTRIES) {
            cache.clear();
        }
        cache.put(address, new Entry(payload, nowNanos + CACHE_NANOS));
        return payload;
    }

    static int lookup(InetSocketAddress peer) {
        int headers = peer.getAddress() instanceof Inet6Address ? 40 + 8 : 20 + 8;
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.connect(peer.getPort() == 0 ? new InetSocketAddress(peer.getAddress(), 9) : peer);
            InetAddress local = ((InetSocketAddress) probe.getLocalAddress()).getAddress();
            NetworkInterface nic = NetworkInterface.getByInetAddress(local);
            if (nic == null || nic.getMTU() <= headers) {
                return UNKNOWN_PAYLOAD;
            }
            return Math.min(nic.getMTU() - headers, MAX_UDP_PAYLOAD);
        } catch (IOException | RuntimeException e) {
            return UNKNOWN_PAYLOAD; // no route, unsupported family, sandboxed sockets: assume Ethernet
        }
    }
}
