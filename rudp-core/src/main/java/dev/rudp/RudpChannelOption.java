package dev.rudp;

import io.netty.channel.ChannelOption;

/**
 * Options of rudp connections. Set them on a codec builder with {@code option(...)}; each
 * connection (child channel) reports the values it runs with through {@code config().getOption}.
 * {@link #DELIVERY} may also be changed on a live child channel.
 *
 * @param <T> the option's value type
 */
public final class RudpChannelOption<T> extends ChannelOption<T> {

    /**
     * Largest datagram sent or accepted, header and trailer included; default 65507 (no limit but
     * UDP's); at least 1200. Each connection starts with 1200-byte datagrams and path MTU discovery
     * raises that to what the path carries, up to this value and the outgoing interface's MTU
     * (1472 on Ethernet over IPv4, 65507 on loopback). {@link RudpStats#datagramSize()} tells the size in use.
     */
    public static final ChannelOption<Integer> MAX_DATAGRAM_SIZE = valueOf(RudpChannelOption.class,
            "RUDP_MAX_DATAGRAM_SIZE");
    /** A connection silent for this long is closed; default 30000 ms. The smaller of both sides' values wins. */
    public static final ChannelOption<Long> IDLE_TIMEOUT_MILLIS = valueOf(RudpChannelOption.class,
            "RUDP_IDLE_TIMEOUT_MILLIS");
    /** After this much silence a PING keeps the connection (and NAT bindings) alive; default 10000 ms, 0 off. */
    public static final ChannelOption<Long> KEEPALIVE_INTERVAL_MILLIS = valueOf(RudpChannelOption.class,
            "RUDP_KEEPALIVE_INTERVAL_MILLIS");
    /**
     * Longest an acknowledgement is held back; default 5 ms. Pending acknowledgements also go out at
     * the end of every read burst, so this bounds the odd case, and it enters the probe timeout.
     */
    public static final ChannelOption<Long> MAX_ACK_DELAY_MILLIS = valueOf(RudpChannelOption.class,
            "RUDP_MAX_ACK_DELAY_MILLIS");
    /** RTT assumed before the first measurement; default 333 ms (RFC 9002). */
    public static final ChannelOption<Long> INITIAL_RTT_MILLIS = valueOf(RudpChannelOption.class,
            "RUDP_INITIAL_RTT_MILLIS");
    /** Flow-control window granted to the peer at first, in bytes; default 4 MiB. */
    public static final ChannelOption<Long> INITIAL_WINDOW = valueOf(RudpChannelOption.class,
            "RUDP_INITIAL_WINDOW");
    /** Largest the flow-control window grows to on a fast path; default 64 MiB. */
    public static final ChannelOption<Long> MAX_WINDOW = valueOf(RudpChannelOption.class, "RUDP_MAX_WINDOW");
    /** Largest message accepted from the peer; default 1 MiB; at most the initial window. */
    public static final ChannelOption<Integer> MAX_MESSAGE_SIZE = valueOf(RudpChannelOption.class,
            "RUDP_MAX_MESSAGE_SIZE");
    /** The congestion controller of each connection; default {@link CongestionControl#NEW_RENO}. */
    public static final ChannelOption<CongestionControl> CONGESTION_CONTROL = valueOf(RudpChannelOption.class,
            "RUDP_CONGESTION_CONTROL");
    /** Delivery mode of plain {@code ByteBuf} writes; default {@link Delivery#ORDERED}. */
    public static final ChannelOption<Delivery> DELIVERY = valueOf(RudpChannelOption.class, "RUDP_DELIVERY");
    /** Most connections a server accepts at once; default 10000. Further INITIALs are dropped. */
    public static final ChannelOption<Integer> MAX_CONNECTIONS = valueOf(RudpChannelOption.class,
            "RUDP_MAX_CONNECTIONS");
    /**
     * UDP segmentation offload both ways (epoll transport, Linux 4.18+/5.0+): sends hand runs of equal
     * datagrams to the kernel in one system call (GSO, plaintext mode only: under DTLS each datagram is
     * its own record), and receives take whatever the kernel coalesced in one call (GRO). Default
     * false: measured on loopback with 1452-byte datagrams it cost a third of the throughput (209 to
     * 148 MB/s), because Netty already sends a flush's datagrams with one {@code sendmmsg} and loopback
     * cuts each run up again on the way in; try it on a NIC path. A run is at most 64 datagrams and
     * 64 KiB, so it never matters on loopback, where path MTU discovery makes datagrams 64 KiB anyway.
     */
    public static final ChannelOption<Boolean> UDP_OFFLOAD = valueOf(RudpChannelOption.class, "RUDP_UDP_OFFLOAD");
    /** Logs every packet event at DEBUG on logger {@code dev.rudp.trace}; default false. */
    public static final ChannelOption<Boolean> TRACE = valueOf(RudpChannelOption.class, "RUDP_TRACE");

    @SuppressWarnings("deprecation")
    private RudpChannelOption() {
        super(null);
    }
}
