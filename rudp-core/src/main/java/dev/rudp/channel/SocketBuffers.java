package dev.rudp.channel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * Sizes the datagram socket's kernel buffers from what its connections measured, so nobody has to
 * tune them. What peers may have in flight toward this socket is bounded by the flow-control
 * windows it granted, which grow with each path's bandwidth-delay product; the receive buffer is
 * asked for their sum, so a window of datagrams arriving while the event loop is busy is not
 * dropped. The send buffer is asked for the sum of the congestion windows, the most the connections
 * release at once. Both stay between {@link #FLOOR} and {@link #CEILING}, grow in powers of two and
 * shrink only when the need fell to a quarter.
 *
 * <p>The kernel caps requests at {@code net.core.rmem_max} / {@code wmem_max} (Linux reports twice
 * what it granted, for its bookkeeping); a capped request is logged once per socket with the
 * setting to raise (INFO on a server, DEBUG on a client), because it turns into drops at the
 * socket ({@code socketReceiveDrops}).
 * Event loop only.
 */
final class SocketBuffers {
    private static final InternalLogger log = InternalLoggerFactory.getInstance(SocketBuffers.class);
    /** Linux grants twice what was asked, for its bookkeeping, and reports that. */
    private static final int REPORTED_PER_ASKED = System.getProperty("os.name", "").startsWith("Linux") ? 2 : 1;

    /** The least either buffer is asked for: room for a burst on a socket with one modest connection. */
    static final int FLOOR = 4 << 20;
    /** The most either buffer is asked for: a 10 Gbit/s path with 200 ms of round trip. */
    static final int CEILING = 256 << 20;
    /** Reviews closer together than this are skipped: windows change over round trips, not packets. */
    static final long REVIEW_NANOS = 100_000_000L;

    private final Channel channel;
    private final boolean server;
    private int receiveAsked;
    private int sendAsked;
    private boolean receiveCapLogged;
    private boolean sendCapLogged;
    private long reviewedAtNanos;
    private boolean reviewed;

    /**
     * @param server whether the socket serves many peers: a capped buffer is then logged at INFO, where
     *        an operator sees it; a client's (one user, often a shell on the terminal) at DEBUG, and
     *        its {@code stats} show the buffers anyway
     */
    SocketBuffers(Channel channel, boolean server) {
        this.channel = channel;
        this.server = server;
        receiveAsked = ask(ChannelOption.SO_RCVBUF, FLOOR, 0);
        sendAsked = ask(ChannelOption.SO_SNDBUF, FLOOR, 0);
    }

    /** Whether a review is due at {@code nowNanos}; the caller then sums its connections' windows. */
    boolean reviewDue(long nowNanos) {
        return !reviewed || nowNanos - reviewedAtNanos >= REVIEW_NANOS;
    }

    /**
     * Resizes for what the connections need now.
     *
     * @param receiveWindows the flow-control windows this side granted, summed over its connections
     * @param congestionWindows the congestion windows of its connections, summed
     */
    void review(long receiveWindows, long congestionWindows, long nowNanos) {
        reviewed = true;
        reviewedAtNanos = nowNanos;
        int r = target(receiveWindows, receiveAsked);
        if (r != receiveAsked) {
            receiveAsked = ask(ChannelOption.SO_RCVBUF, r, receiveWindows);
        }
        int s = target(congestionWindows, sendAsked);
        if (s != sendAsked) {
            sendAsked = ask(ChannelOption.SO_SNDBUF, s, congestionWindows);
        }
    }

    /** The size to ask for when {@code wanted} bytes are needed and {@code current} was asked last. */
    static int target(long wanted, int current) {
        long clamped = Math.max(FLOOR, Math.min(CEILING, wanted));
        int size = Integer.highestOneBit((int) clamped);
        if (size < clamped) {
            size <<= 1;
        }
        if (size > current || size <= current / 4) {
            return size;
        }
        return current;
    }

    /** The receive buffer the kernel granted, as it reports it (twice the size on Linux); -1 when unknown. */
    int receiveGranted() {
        return granted(ChannelOption.SO_RCVBUF);
    }

    /** The send buffer the kernel granted, as it reports it (twice the size on Linux); -1 when unknown. */
    int sendGranted() {
        return granted(ChannelOption.SO_SNDBUF);
    }

    private int granted(ChannelOption<Integer> option) {
        Integer v = channel.isOpen() ? channel.config().getOption(option) : null;
        return v == null ? -1 : v;
    }

    private int ask(ChannelOption<Integer> option, int size, long wanted) {
        if (!channel.config().setOption(option, size)) {
            return size;
        }
        int granted = granted(option);
        if (granted >= 0 && granted < (long) REPORTED_PER_ASKED * size) {
            boolean receive = option == ChannelOption.SO_RCVBUF;
            if ((receive ? !receiveCapLogged : !sendCapLogged) && (server ? log.isInfoEnabled() : log.isDebugEnabled())) {
                String message = String.format("UDP %s buffer of %s capped by the kernel at %d KiB (connections want"
                        + " %d KiB); raise sysctl net.core.%s to at least %d to avoid drops at the socket",
                        receive ? "receive" : "send", channel.localAddress(), granted / REPORTED_PER_ASKED >> 10,
                        Math.max(size, wanted) >> 10, receive ? "rmem_max" : "wmem_max", size);
                if (server) {
                    log.info(message);
                } else {
                    log.debug(message);
                }
                if (receive) {
                    receiveCapLogged = true;
                } else {
                    sendCapLogged = true;
                }
            }
        }
        return size;
    }
}
